package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The audit trail: one record per event, filtered and paged as compliance tools need, never altered. */
class AuditIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private JsonNode audit(String query) {
        Api.Response response = api.get("/api/v1/audit?" + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private List<JsonNode> awaitRecords(String query, int expected) {
        List<JsonNode> items = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            items.clear();
            audit(query).path("items").forEach(items::add);
            assertThat(items).hasSize(expected);
        });
        return items;
    }

    @Test
    void everyEvent_isAudited_withActorActionRequestAndChanges() {
        String name = unique("aud");
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}",
                "X-Request-Id", "req-" + name, "User-Agent", "audit-test/1.0");
        api.put("/api/v1/tenants/" + name, "{\"display_name\":\"Renamed\"}", "If-Match", "\"1\"");
        api.put("/api/v1/tenants/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"2\"");
        api.put("/api/v1/tenants/" + name, "{\"status\":\"active\"}", "If-Match", "\"3\"");

        List<JsonNode> records = awaitRecords("resource=tenant/" + name + "&order=asc", 4);

        assertThat(records).extracting(r -> r.path("action").asString())
                .containsExactly("tenant.create", "tenant.update", "tenant.deactivate", "tenant.reactivate");
        assertThat(records).extracting(r -> r.path("version").asLong()).containsExactly(1L, 2L, 3L, 4L);
        JsonNode created = records.getFirst();
        assertThat(created.path("actor").asString()).isEqualTo("bootstrap:admin");
        assertThat(created.path("request").path("request_id").asString()).isEqualTo("req-" + name);
        assertThat(created.path("request").path("user_agent").asString()).isEqualTo("audit-test/1.0");
        assertThat(created.path("request").path("source_ip").asString()).isEqualTo("127.0.0.1");
        assertThat(records.get(1).path("changes").path("display_name").path("to").asString()).isEqualTo("Renamed");
        assertThat(Instant.parse(created.path("occurred_at").asString())).isBefore(Instant.now());
    }

    @Test
    void filters_combineWithAnd_andActionsAreAnOrList() {
        String tenant = unique("flt");
        String policy = unique("flt");
        Instant start = Instant.now().minusSeconds(1);
        api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        api.put("/api/v1/tenants/" + tenant, "{\"display_name\":\"x\"}", "If-Match", "\"1\"");
        api.post("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[{\"tenant\":\"" + tenant
                + "\",\"cluster\":\"main\"}],\"scopes\":[\"metrics:read\"]}");
        awaitRecords("resource=access_policy/" + policy, 1);

        assertThat(audit("resource=tenant/" + tenant + "&action=tenant.update").path("items")).hasSize(1);
        assertThat(audit("resource=tenant/" + tenant + "&action=create").path("items")).hasSize(1);
        assertThat(audit("resource=access_policy/" + policy + "&action=create,tenant.update").path("items")).hasSize(1);
        assertThat(audit("resource=tenant/" + tenant + "&action=create,tenant.update").path("items")).hasSize(2);
        assertThat(audit("resource=tenant/" + tenant + "&actor=someone-else").path("items")).isEmpty();
        assertThat(audit("resource=tenant/" + tenant + "&actor=bootstrap:admin&since=" + start).path("items")).hasSize(2);
        assertThat(audit("resource=tenant/" + tenant + "&until=" + start).path("items")).isEmpty();

        List<JsonNode> desc = new ArrayList<>();
        audit("resource=tenant/" + tenant).path("items").forEach(desc::add);
        assertThat(desc).extracting(r -> r.path("version").asLong()).containsExactly(2L, 1L);

        assertThat(api.get("/api/v1/audit?since=yesterday").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/audit?order=sideways").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/audit?action=DROP%20TABLE").status()).isEqualTo(400);
    }

    @Test
    void pagingAscending_whileRecordsAreAppended_seesEveryRecordExactlyOnce() throws Exception {
        String prefix = unique("pg");
        Instant start = Instant.now();
        int writers = 8;
        int perWriter = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> writes = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String name = prefix + "-" + w;
            writes.add(pool.submit(() -> {
                api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
                for (int i = 2; i <= perWriter; i++) {
                    api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v" + i + "\"}", "If-Match", "*");
                }
            }));
        }
        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        String query = "since=" + start + "&order=asc&limit=7&resource=tenant";
        String cursor = null;
        boolean writing = true;
        while (writing || cursor != null) {
            writing = writes.stream().anyMatch(f -> !f.isDone());
            JsonNode page = audit(query + (cursor == null ? "" : "&cursor=" + cursor));
            for (JsonNode record : page.path("items")) {
                if (record.path("resource").path("name").asString().startsWith(prefix) && !seen.add(record.path("event_id").asString())) {
                    duplicates.add(record.path("event_id").asString());
                }
            }
            JsonNode next = page.path("next_cursor");
            if (!next.isNull()) {
                cursor = next.asString();
            } else if (writing) {
                continue;
            } else {
                // Writes are done: keep following from the last cursor until the projector has appended everything.
                break;
            }
        }
        for (Future<?> f : writes) {
            f.get();
        }
        pool.shutdown();
        // Keep following from the last cursor until the projector has appended everything. The position survives
        // each retry, so no record is read (and counted) twice.
        AtomicReference<String> position = new AtomicReference<>(cursor);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode page;
            do {
                String c = position.get();
                page = audit(query + (c == null ? "" : "&cursor=" + c));
                for (JsonNode record : page.path("items")) {
                    if (record.path("resource").path("name").asString().startsWith(prefix) && !seen.add(record.path("event_id").asString())) {
                        duplicates.add(record.path("event_id").asString());
                    }
                }
                if (!page.path("next_cursor").isNull()) {
                    position.set(page.path("next_cursor").asString());
                }
            } while (!page.path("items").isEmpty());
            assertThat(seen).hasSize(writers * perWriter);
        });
        assertThat(duplicates).isEmpty();
    }

    @Test
    void theAuditStore_refusesUpdateAndDelete() throws SQLException {
        String name = unique("ro");
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        awaitRecords("resource=tenant/" + name, 1);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + system.dataDir().resolve("audit.db"));
             Statement st = connection.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate("UPDATE audit_records SET actor = 'mallory'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM audit_records"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM audit_records WHERE resource_name = '" + name + "'"))
                    .hasMessageContaining("append-only");
        }
        assertThat(audit("resource=tenant/" + name).path("items").get(0).path("actor").asString()).isEqualTo("bootstrap:admin");
    }
}
