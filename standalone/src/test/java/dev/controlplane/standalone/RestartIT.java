package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Data survives a stop and a start; a write whose decision is late answers 202 and is decided after a restart. */
class RestartIT {

    @Test
    void afterARestart_everyResourceVersionAndAuditRecordIsThere_withoutDuplicates() {
        Path dataDir = TestSystem.newDataDir();
        try (Standalone first = TestSystem.withMainCluster(TestSystem.start(dataDir))) {
            Api api = Api.of(first);
            assertThat(api.post("/api/v1/tenants", "{\"name\":\"durable\",\"cluster\":\"main\"}").status()).isEqualTo(201);
            assertThat(api.put("/api/v1/tenants/durable", "{\"display_name\":\"Durable\"}", "If-Match", "\"1\"").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/api/v1/audit?resource=tenant/durable").json().path("items").size() == 2);
        }
        try (Standalone second = TestSystem.start(dataDir)) {
            Api api = Api.of(second);
            Api.Response tenant = api.get("/api/v1/tenants/durable");
            assertThat(tenant.status()).isEqualTo(200);
            assertThat(tenant.header("ETag")).isEqualTo("\"2\"");
            assertThat(tenant.json().path("display_name").asString()).isEqualTo("Durable");
            assertThat(api.put("/api/v1/tenants/durable", "{\"display_name\":\"v3\"}", "If-Match", "\"1\"").status())
                    .as("the processor's state survived: version 1 is stale").isEqualTo(412);
            assertThat(api.put("/api/v1/tenants/durable", "{\"display_name\":\"v3\"}", "If-Match", "\"2\"").header("ETag")).isEqualTo("\"3\"");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(api.get("/api/v1/audit?resource=tenant/durable&order=asc").json().path("items"))
                            .extracting(r -> r.path("version").asLong()).containsExactly(1L, 2L, 3L));
        }
    }

    @Test
    void afterARestart_theProcessorStillKnowsWhoRefersToWhat() {
        Path dataDir = TestSystem.newDataDir();
        try (Standalone first = TestSystem.withMainCluster(TestSystem.start(dataDir))) {
            Api api = Api.of(first);
            assertThat(api.post("/api/v1/roles", "{\"name\":\"operators\",\"scopes\":[\"users:read\"]}").status()).isEqualTo(201);
            assertThat(api.post("/api/v1/users", "{\"username\":\"olivia\",\"roles\":[\"operators\"]}").status()).isEqualTo(201);
        }
        try (Standalone second = TestSystem.start(dataDir)) {
            Api api = Api.of(second);
            assertThat(api.put("/api/v1/roles/operators", "{\"status\":\"inactive\"}", "If-Match", "*").status())
                    .as("the reference view was rebuilt from the log: olivia still holds the role").isEqualTo(409);
            assertThat(api.post("/api/v1/tenants", "{\"name\":\"after-restart\",\"cluster\":\"main\"}").status())
                    .as("and cluster main still exists for it").isEqualTo(201);
        }
    }

    @Test
    void aWriteNotDecidedInTime_answers202_andItsStatusUrlReportsTheOutcomeLater() {
        Path dataDir = TestSystem.newDataDir();
        String statusUrl;
        try (Standalone withoutProcessor = TestSystem.start(dataDir, "--admin.processor.enabled=false",
                "--admin.commands.reply-timeout=300ms")) {
            Api api = Api.of(withoutProcessor);
            Api.Response pending = api.post("/api/v1/clusters", "{\"name\":\"later\"}");
            assertThat(pending.status()).isEqualTo(202);
            statusUrl = pending.header("Location");
            assertThat(statusUrl).startsWith("/api/v1/commands/");
            assertThat(api.get(statusUrl).json().path("status").asString()).isEqualTo("pending");
        }
        try (Standalone withProcessor = TestSystem.start(dataDir)) {
            Api api = Api.of(withProcessor);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Api.Response status = api.get(statusUrl);
                assertThat(status.status()).isEqualTo(200);
                assertThat(status.json().path("status").asString()).isEqualTo("accepted");
                assertThat(status.json().path("version").asLong()).isEqualTo(1);
            });
            assertThat(api.get("/api/v1/clusters/later?min_version=1").status()).isEqualTo(200);
            assertThat(api.get("/api/v1/commands/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        }
    }
}
