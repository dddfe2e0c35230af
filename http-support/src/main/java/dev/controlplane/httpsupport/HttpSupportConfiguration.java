package dev.controlplane.httpsupport;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Problem mapping, health, cursors and the OpenAPI document for every HTTP service. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthSettings.class)
@Import({ProblemResponses.class, HealthController.class, OpenApiController.class})
public class HttpSupportConfiguration {

    @Bean
    CursorCodec cursorCodec(AuthSettings settings) {
        byte[] secret;
        if (settings.cursorSecret() != null && !settings.cursorSecret().isBlank()) {
            secret = settings.cursorSecret().getBytes(StandardCharsets.UTF_8);
        } else {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        }
        return new CursorCodec(secret);
    }
}
