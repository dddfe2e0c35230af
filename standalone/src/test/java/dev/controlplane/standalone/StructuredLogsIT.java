package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.webhooksupport.SecretBox;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Production logs: a service started from its jar with {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs} (Spring Boot's
 * structured logging) writes every log line as one JSON document, and the line a write causes carries its request
 * id, its actor and its command id.
 */
class StructuredLogsIT {

    @Test
    void withEcsLogging_everyLineIsJson_andAWritesLineNamesItsRequestActorAndCommand() throws Exception {
        Path dir = TestSystem.newDataDir();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
             ServiceProcess service = ServiceProcess.jar("command-service", "command-service", EmbeddedKafkaBroker.freePort(), Map.of(
                     "LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs",
                     "ADMIN_KAFKA_BOOTSTRAPSERVERS", broker.bootstrapServers(),
                     "ADMIN_KAFKA_REPLICATIONFACTOR", "1", "ADMIN_KAFKA_MININSYNCREPLICAS", "1",
                     "ADMIN_AUTH_TOKEN", TestSystem.TOKEN, "ADMIN_AUTH_CURSORSECRET", "logs-cursor-secret",
                     "ADMIN_AUTH_SECRETKEY", "logs-secret-key", "ADMIN_WEBHOOKS_SECRETKEY", SecretBox.newKey(),
                     "ADMIN_PROCESSOR_STATEDIR", dir.resolve("processor").toString()), dir)) {
            service.start().awaitReady(Duration.ofSeconds(180));
            Api api = new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), service.base(), TestSystem.TOKEN);
            // Just after the start a write may answer 202 (decided a little later): asked again with its key until decided.
            Api.Response created = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    api.post("/api/v1/clusters", "{\"name\":\"logged\"}", "X-Request-Id", "logs-it-1", "Idempotency-Key", "logged"),
                    response -> response.status() == 201);
            assertThat(created.header("X-Request-Id")).isEqualTo("logs-it-1");
            String commandId = created.header("X-Command-Id");

            JsonNode line = await().atMost(Duration.ofSeconds(10))
                    .until(() -> lineOf(service, "logs-it-1", "answered 201"), Optional::isPresent).orElseThrow();
            assertThat(field(line, "actor")).isEqualTo("bootstrap:admin");
            assertThat(field(line, "command_id")).isEqualTo(commandId);
            assertThat(line.path("message").asString()).contains("POST /api/v1/clusters answered 201");

            // A forged id (markup, quotes, a space) is replaced, not logged. (A line break cannot be sent in a header.)
            Api.Response forged = api.post("/api/v1/clusters", "{\"name\":\"forged\"}", "X-Request-Id", "a\"b <c>");
            assertThat(forged.header("X-Request-Id")).isNotEqualTo("a\"b <c>").matches("[0-9a-f-]{36}");

            // Every line a logger wrote is JSON; what else there is comes from the JVM itself.
            List<String> plain = service.log().lines().filter(l -> !l.startsWith("{"))
                    .filter(l -> l.matches("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}.*") || l.matches("^\\d{2}:\\d{2}:\\d{2}.*")
                            || l.matches(".*\\b(TRACE|DEBUG|INFO|WARN|ERROR)\\b.*"))
                    .toList();
            assertThat(plain).as("log lines that are not JSON").isEmpty();
        }
    }

    private static Optional<JsonNode> lineOf(ServiceProcess service, String requestId, String text) throws java.io.IOException {
        return service.log().lines().filter(l -> l.startsWith("{") && l.contains(requestId) && l.contains(text))
                .map(Envelopes.MAPPER::readTree).filter(json -> requestId.equals(field(json, "request_id"))).findFirst();
    }

    /** An MDC entry: at the root of an ECS document, or under {@code mdc} in other layouts. */
    private static String field(JsonNode line, String name) {
        return line.has(name) ? line.path(name).asString() : line.path("mdc").path(name).asString(null);
    }
}
