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

    /** Every service's defaults; standalone starts from them too. */
    public static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("spring.main.banner-mode", "off"),
            // Writes block while their decision is made; virtual threads make that wait cheap.
            Map.entry("spring.threads.virtual.enabled", "true"),
            // Bodies are JSON whatever the content type says; they must not be parsed as forms.
            Map.entry("spring.mvc.formcontent.filter.enabled", "false"),
            Map.entry("server.error.include-stacktrace", "never"),
            // On stop, requests in flight get their answers before the gateway and the processor stop (their phases
            // are below the web server's): a write whose command is on the log is never answered "nothing changed".
            Map.entry("server.shutdown", "graceful"),
            Map.entry("spring.lifecycle.timeout-per-shutdown-phase", "15s"),
            // An oversized bearer token reaches authentication (and its 401 problem) instead of Tomcat's error page.
            Map.entry("server.max-http-request-header-size", "64KB"),
            // Prometheus metrics at /metrics, as seed 000 has them; no other actuator endpoint is exposed.
            Map.entry("management.endpoints.web.base-path", "/"),
            Map.entry("management.endpoints.web.exposure.include", "prometheus"),
            Map.entry("management.endpoints.web.path-mapping.prometheus", "metrics"),
            Map.entry("management.metrics.tags.application", "admin-control-plane"),
            // Buckets, so that p50 and p99 of the command latency can be taken over every instance (the dashboard's).
            Map.entry("management.metrics.distribution.percentiles-histogram.http.server.requests", "true"),
            // Kafka's clients, Streams, the pool and the migrations log every step at INFO: a console to read keeps their
            // warnings. LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs (or logstash) makes every line JSON with the request's
            // request_id, actor and command_id (RequestLog).
            Map.entry("logging.level.kafka", "WARN"),
            Map.entry("logging.level.org.apache.kafka", "WARN"),
            Map.entry("logging.level.com.zaxxer.hikari", "WARN"),
            Map.entry("logging.level.org.flywaydb", "WARN"));

    private Services() {
    }

    public static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setDefaultProperties(DEFAULTS);
        return app.run(args);
    }
}
