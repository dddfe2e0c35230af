package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.Envelopes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Production logs: with {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs} (Spring Boot's structured logging) every log
 * line of the jar is one JSON document, and the line a write causes carries its request id, its actor and its
 * command id.
 */
class StructuredLogsIT {

    @Test
    void withEcsLogging_everyLineIsJson_andAWritesLineNamesItsRequestActorAndCommand() throws Exception {
        Path dataDir = TestSystem.newDataDir();
        try (JarProcess jar = JarProcess.start(dataDir, Map.of("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs"))) {
            Api.Response created = jar.api().post("/api/v1/clusters", "{\"name\":\"logged\"}", "X-Request-Id", "logs-it-1");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.header("X-Request-Id")).isEqualTo("logs-it-1");
            String commandId = created.header("X-Command-Id");

            JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> lineOf(jar, "logs-it-1"), Optional::isPresent).orElseThrow();
            assertThat(field(line, "actor")).isEqualTo("bootstrap:admin");
            assertThat(field(line, "command_id")).isEqualTo(commandId);
            assertThat(line.path("message").asString()).contains("POST /api/v1/clusters answered 201");

            // A forged id (markup, quotes, a space) is replaced, not logged. (A line break cannot be sent in a header.)
            Api.Response forged = jar.api().post("/api/v1/clusters", "{\"name\":\"forged\"}", "X-Request-Id", "a\"b <c>");
            assertThat(forged.header("X-Request-Id")).isNotEqualTo("a\"b <c>").matches("[0-9a-f-]{36}");

            // Every line a logger wrote is JSON; what else there is comes from the JVM or is the banner the program prints.
            List<String> plain = jar.log().lines().filter(l -> !l.startsWith("{"))
                    .filter(l -> l.matches("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}.*") || l.matches(".*\\b(TRACE|DEBUG|INFO|WARN|ERROR)\\b.*"))
                    .toList();
            assertThat(plain).as("log lines that are not JSON").isEmpty();
        }
    }

    private static Optional<JsonNode> lineOf(JarProcess jar, String requestId) throws java.io.IOException {
        return jar.log().lines().filter(l -> l.startsWith("{") && l.contains(requestId)).map(Envelopes.MAPPER::readTree)
                .filter(json -> requestId.equals(field(json, "request_id"))).findFirst();
    }

    /** An MDC entry: at the root of an ECS document, or under {@code mdc} in other layouts. */
    private static String field(JsonNode line, String name) {
        return line.has(name) ? line.path(name).asString() : line.path("mdc").path(name).asString(null);
    }
}
