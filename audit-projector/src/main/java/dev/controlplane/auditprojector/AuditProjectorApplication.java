package dev.controlplane.auditprojector;

import dev.controlplane.kafkasupport.Services;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The audit projector, running alone against an external Kafka (see {@link Services}); it serves only its health. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({AuditProjectorConfiguration.class, dev.controlplane.httpsupport.HealthConfiguration.class})
public class AuditProjectorApplication {

    public static void main(String[] args) {
        Services.run(AuditProjectorApplication.class, args);
    }
}
