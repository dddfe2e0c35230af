package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * An operator rebuilds the standalone system's stores while it serves: over the admin endpoint and with the command
 * {@code ./dev rebuild} runs. An auditor's cursor from before reads on the same records after, reads and writes go
 * on, and the route asks for the {@code admin} scope.
 */
class RebuildIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @Test
    void theAuditStore_isRebuiltOverTheEndpoint_andACursorFromBeforeReadsOnTheSameRecords() {
        String name = "rebuilt-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            api.post("/api/v1/tenants", "{\"name\":\"" + name + "-" + i + "\",\"cluster\":\"main\"}");
        }
        String cursor = api.get("/api/v1/audit?order=asc&limit=2").json().path("next_cursor").asString();
        JsonNode before = api.get("/api/v1/audit?order=asc&limit=5&cursor=" + cursor).json().path("items");
        assertThat(before.size()).isPositive();

        Api.Response started = api.post("/api/v1/rebuilds/audit", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.header("Location")).isEqualTo("/api/v1/rebuilds/audit");
        Api.Response again = api.post("/api/v1/rebuilds/audit", "");
        // Started a moment ago: still running, unless it has already switched (RebuildsTest shows the 409 for sure).
        assertThat(again.status()).as(again.body()).isIn(202, 409);
        if (again.status() == 409) {
            assertThat(again.json().path("type").asString()).endsWith("/rebuild-running");
        }
        JsonNode done = awaitDone("audit");
        assertThat(done.path("records").asLong()).isPositive();
        assertThat(done.path("total").asLong()).isGreaterThanOrEqualTo(done.path("records").asLong());
        assertThat(done.path("records_per_second").asDouble()).isPositive();

        assertThat(api.get("/api/v1/audit?order=asc&limit=5&cursor=" + cursor).json().path("items")).isEqualTo(before);
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "-after\",\"cluster\":\"main\"}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/api/v1/audit?resource=tenant/" + name + "-after").json().path("items").size() == 1);
    }

    @Test
    void theReadModel_isRebuiltByTheCommand_printingItsProgress() throws Exception {
        String name = "rebuilt-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit = RebuildCommand.run(Map.of("ADMIN_URL", "http://127.0.0.1:" + system.port(), "ADMIN_TOKEN", system.token()),
                "read-model", new PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).containsPattern("read-model: done, \\d+ of \\d+ records, \\d+/s");
        assertThat(api.get("/api/v1/tenants/" + name).status()).isEqualTo(200);
        api.put("/api/v1/tenants/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        assertThat(api.get("/api/v1/tenants/" + name + "?min_version=2").json().path("status").asString()).isEqualTo("inactive");
    }

    @Test
    void aStoreItDoesNotRebuild_isNotFound_andTheRouteNeedsAdmin() {
        assertThat(api.post("/api/v1/rebuilds/webhooks", "").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/rebuilds/no-such-store").status()).isEqualTo(404);
        Callers.Token reader = Callers.token(api, "admin:read");
        assertThat(api.withToken(reader.secret()).post("/api/v1/rebuilds/audit", "").status()).isEqualTo(403);
        assertThat(api.withToken(reader.secret()).get("/api/v1/rebuilds/audit").status()).isEqualTo(403);
    }

    private JsonNode awaitDone(String store) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            last[0] = api.get("/api/v1/rebuilds/" + store).json();
            return !last[0].path("state").asString().equals("replaying") && !last[0].path("state").asString().equals("switching");
        });
        assertThat(last[0].path("state").asString()).as(last[0].toString()).isEqualTo("done");
        return last[0];
    }
}
