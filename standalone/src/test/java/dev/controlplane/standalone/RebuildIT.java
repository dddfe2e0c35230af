package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.UUID;
import dev.controlplane.jdbcstore.SqlStore;
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
        Api.Response unknown = api.post("/api/v1/rebuilds/no-such-store", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("detail").asString()).contains("audit, read-model, webhooks");
        assertThat(api.get("/api/v1/rebuilds/no-such-store").status()).isEqualTo(404);
        Callers.Token reader = Callers.token(api, "admin:read");
        assertThat(api.withToken(reader.secret()).post("/api/v1/rebuilds/audit", "").status()).isEqualTo(403);
        assertThat(api.withToken(reader.secret()).get("/api/v1/rebuilds/audit").status()).isEqualTo(403);
    }

    @Test
    void theWebhookStore_isRebuiltWhileDeliveriesGoOn_nothingIsSentTwiceOrLeftUnsent_andTheAttemptLogPagesOnTheSame()
            throws Exception {
        String name = "rebuilt-hook-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/" + name;
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Api.Response created = api.post("/api/v1/webhooks", "{\"name\":\"" + name + "\",\"url\":\"" + receiver.url(path)
                    + "\",\"events\":[\"tenant.*\"]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            AtomicInteger written = new AtomicInteger();
            for (int i = 0; i < 6; i++) {
                tenant(name + "-" + i, written);
            }
            String deliveries = "/api/v1/webhooks/" + name + "/deliveries";
            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(deliveries) == written.get());
            String cursor = api.get(deliveries + "?limit=2").json().path("next_cursor").asString();
            JsonNode before = api.get(deliveries + "?limit=3&cursor=" + cursor).json().path("items");
            assertThat(before.size()).isEqualTo(3);
            SqlStore store = system.context().getBean("webhookStore", SqlStore.class);
            String ours = "SELECT * FROM deliveries WHERE subscription = '" + name + "' ORDER BY id";
            String theirAttempts = "SELECT a.* FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription = '"
                    + name + "' ORDER BY a.id";
            List<String> deliveriesBefore = StoreRows.rows(store, ours);
            List<String> attemptsBefore = StoreRows.rows(store, theirAttempts);

            // The next sends fail: deliveries made during the rebuild carry failed attempts and are retried across the switch.
            synchronized (receiver.script(path)) {
                receiver.script(path).failStatus = 500;
                receiver.script(path).failures = 3;
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = Thread.ofVirtual().start(() -> {
                // Bounded, so the shared system is not flooded meanwhile.
                for (int i = 0; writing.get() && i < 60; i++) {
                    tenant(name + "-during-" + i, written);
                }
            });
            JsonNode done;
            try {
                Api.Response started = api.post("/api/v1/rebuilds/webhooks", "");
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                done = awaitDone("webhooks");
            } finally {
                writing.set(false);
                writer.join(Duration.ofSeconds(30));
            }
            assertThat(done.path("records").asLong()).isPositive();
            tenant(name + "-after", written);

            // Every event is delivered, by the dispatcher carrying on into the rebuilt store ...
            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(deliveries) == written.get());
            // ... and sent as often as its attempts say: none again because of the rebuild.
            Map<String, Long> sends = receiver.received(path).stream()
                    .collect(Collectors.groupingBy(r -> r.headers().get("webhook-id").getFirst(), Collectors.counting()));
            Map<String, Long> attempts = new java.util.HashMap<>();
            for (String row : StoreRows.rows(store, "SELECT event_id, attempts FROM deliveries WHERE subscription = '" + name + "'")) {
                String[] columns = row.split("\\|");
                attempts.put(columns[0], Long.parseLong(columns[1]));
            }
            assertThat(attempts).hasSize(written.get());
            assertThat(sends).isEqualTo(attempts);
            // What was there before is there the same, with its ids: the attempt log's cursor pages on the same.
            assertThat(StoreRows.rows(store, ours).subList(0, deliveriesBefore.size())).isEqualTo(deliveriesBefore);
            assertThat(StoreRows.rows(store, theirAttempts).subList(0, attemptsBefore.size())).isEqualTo(attemptsBefore);
            assertThat(api.get(deliveries + "?limit=3&cursor=" + cursor).json().path("items")).isEqualTo(before);
            assertThat(api.put("/api/v1/webhooks/" + name, "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        }
    }

    /** Creates a tenant; counts it when it was created or accepted to be (a 202 under load is created all the same). */
    private void tenant(String name, AtomicInteger written) {
        int status = api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}").status();
        if (status == 201 || status == 202) {
            written.incrementAndGet();
        }
    }

    /** How many of a webhook's deliveries have succeeded, paging through its attempt log. */
    private long succeeded(String deliveries) {
        long count = 0;
        String cursor = null;
        do {
            JsonNode page = api.get(deliveries + "?status=succeeded&limit=100" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            count += page.path("items").size();
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
        } while (cursor != null);
        return count;
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
