package dev.controlplane.auditprojector;

import dev.controlplane.httpsupport.HealthConfiguration;
import dev.controlplane.httpsupport.MetricsToken;
import dev.controlplane.kafkasupport.Services;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The audit projector, running alone against an external Kafka (see {@link Services}); it serves its health and
 * {@code /metrics} (behind {@code admin.metrics-token} when that is set).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({AuditProjectorConfiguration.class, HealthConfiguration.class})
public class AuditProjectorApplication {

    @Bean
    FilterRegistrationBean<MetricsToken> metricsToken(@Value("${admin.metrics-token:}") String token) {
        return new FilterRegistrationBean<>(new MetricsToken(token));
    }

    public static void main(String[] args) {
        Services.run(AuditProjectorApplication.class, args);
    }
}
