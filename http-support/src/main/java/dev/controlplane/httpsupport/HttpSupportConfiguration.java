package dev.controlplane.httpsupport;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Problem mapping, health, cursors and the OpenAPI document for every HTTP service. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthSettings.class)
@Import({HealthConfiguration.class, OpenApiController.class})
public class HttpSupportConfiguration {

    /** Outside everything else, security included, so that every line a request logs carries its id. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<RequestLog> requestLog() {
        var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new RequestLog());
        registration.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Cursors are signed with a key every instance shares (standalone generates {@code data/cursor-secret}): a cursor
     * from one instance must work on another and after a restart, so a service without the key refuses to start.
     */
    @Bean
    CursorCodec cursorCodec(AuthSettings settings) {
        if (settings.cursorSecret() == null || settings.cursorSecret().isBlank()) {
            throw new IllegalStateException("admin.auth.cursor-secret (ADMIN_AUTH_CURSORSECRET) is not set: every instance "
                    + "needs the same key, so that a cursor from one instance works on another and after a restart");
        }
        return new CursorCodec(settings.cursorSecret().getBytes(StandardCharsets.UTF_8));
    }
}
