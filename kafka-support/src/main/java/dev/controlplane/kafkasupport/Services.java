package dev.controlplane.kafkasupport;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts one service on its own (outside {@code standalone}), configured by the environment as Spring Boot reads
 * it: {@code ADMIN_KAFKA_BOOTSTRAPSERVERS}, {@code ADMIN_QUERY_READMODELURL}, {@code SERVER_PORT}, … The defaults
 * here are the ones every service wants.
 */
public final class Services {

    private static final Map<String, Object> DEFAULTS = Map.of(
            "spring.main.banner-mode", "off",
            // Writes block while their decision is made; virtual threads make that wait cheap.
            "spring.threads.virtual.enabled", "true",
            // Bodies are JSON whatever the content type says; they must not be parsed as forms.
            "spring.mvc.formcontent.filter.enabled", "false",
            "server.error.include-stacktrace", "never",
            "logging.level.kafka", "WARN",
            "logging.level.org.apache.kafka", "WARN");

    private Services() {
    }

    public static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setDefaultProperties(DEFAULTS);
        return app.run(args);
    }
}
