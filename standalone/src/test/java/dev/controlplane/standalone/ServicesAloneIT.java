package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.schemas.ConsumerGroups;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Stores;
import dev.controlplane.webhooksupport.SecretBox;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The production topology of {@code docker-compose.yml}, without containers: three KRaft brokers, PostgreSQL (the
 * migrations run as an owner role, the services as a role with grants only), two command services, two query
 * services, two audit projectors sharing the partitions, and a webhook dispatcher, each a process started from its
 * own executable jar and configured by its environment alone.
 */
class ServicesAloneIT {

    private final List<ServiceProcess> started = new ArrayList<>();

    @Test
    void theServicesApart_onPostgresql_serveTheApi_andAnAscendingCursorSeesEveryAuditRecordOnce() throws Exception {
        Path dir = TestSystem.newDataDir();
        Database database = TestDatabases.withServiceRole();
        String prefix = "apart-" + UUID.randomUUID().toString().substring(0, 6);
        try (KafkaCluster kafka = new KafkaCluster(dir); DeliveryLog receiver = new DeliveryLog()) {
            kafka.start();
            Map<String, String> env = new HashMap<>();
            env.put("ADMIN_KAFKA_BOOTSTRAPSERVERS", kafka.bootstrapServers());
            env.put("ADMIN_AUTH_TOKEN", TestSystem.TOKEN);
            env.put("ADMIN_AUTH_CURSORSECRET", "apart-cursor-secret");
            env.put("ADMIN_AUTH_SECRETKEY", "apart-secret-key");
            env.put("ADMIN_WEBHOOKS_SECRETKEY", SecretBox.newKey());
            env.put("ADMIN_WEBHOOKS_ALLOWEDPRIVATETARGETS", "127.0.0.0/8");
            env.put("ADMIN_DATABASE_URL", database.url());
            env.put("ADMIN_DATABASE_USERNAME", database.username());
            // The migrations run once, apart, as the owner; the services only check their stores (as compose's migrate job).
            ServiceProcess migrate = ServiceProcess.task("migrate", "standalone", List.of("migrate"), Map.of(
                    "ADMIN_DATABASE_URL", database.url(), "ADMIN_DATABASE_USERNAME", database.username(),
                    "ADMIN_DATABASE_OWNERUSERNAME", database.ownerUsername(), "ADMIN_DATABASE_OWNERPASSWORD", database.ownerPassword()), dir);
            started.add(migrate);
            assertThat(migrate.start().awaitExit(Duration.ofSeconds(120))).as("the migrations' exit code").isZero();
            env.put("ADMIN_DATABASE_PASSWORD", database.password());
            env.put("ADMIN_DATABASE_MIGRATE", "false");
            List<ServiceProcess> commands = List.of(
                    service("command-1", "command-service", env, Map.of("ADMIN_PROCESSOR_STATEDIR", dir.resolve("processor-1").toString()), dir),
                    service("command-2", "command-service", env, Map.of("ADMIN_PROCESSOR_STATEDIR", dir.resolve("processor-2").toString()), dir));
            List<ServiceProcess> queries = List.of(service("query-1", "query-service", env, Map.of(), dir),
                    service("query-2", "query-service", env, Map.of(), dir));
            List<ServiceProcess> rest = new ArrayList<>(List.of(commands.get(1), queries.get(0), queries.get(1),
                    service("audit-1", "audit-projector", env, Map.of("ADMIN_METRICSTOKEN", "apart-metrics"), dir),
                    service("audit-2", "audit-projector", env, Map.of(), dir),
                    // The owner's credentials, for a rebuild of its store (the copy is a schema of its own).
                    service("dispatcher", "webhook-dispatcher", env, Map.of("ADMIN_DATABASE_OWNERUSERNAME", database.ownerUsername(),
                            "ADMIN_DATABASE_OWNERPASSWORD", database.ownerPassword()), dir)));
            try {
                // The first command service provisions the topics; the rest start against them together.
                commands.getFirst().start().awaitReady(Duration.ofSeconds(180));
                rest.forEach(ServiceProcess::start);
                rest.forEach(p -> p.awaitReady(Duration.ofSeconds(240)));
                await("both audit projectors hold partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .ignoreExceptions().until(() -> kafka.members(ConsumerGroups.AUDIT) == 2);

                List<Api> writes = commands.stream().map(c -> api(c.base())).toList();
                List<Api> reads = queries.stream().map(q -> api(q.base())).toList();
                decided(writes.getFirst(), "POST", "/api/v1/clusters", "{\"name\":\"" + prefix + "\",\"kind\":\"metrics\"}", null);
                decided(writes.getFirst(), "POST", "/api/v1/webhooks", "{\"name\":\"" + prefix + "\",\"url\":\""
                        + receiver.url("/" + prefix) + "\",\"events\":[\"tenant.*\"]}", null);
                Instant start = Instant.now();

                int writers = 6;
                int perWriter = 8;
                ExecutorService pool = Executors.newFixedThreadPool(writers);
                List<Future<?>> load = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String name = prefix + "-" + w;
                    Api through = writes.get(w % writes.size());
                    load.add(pool.submit(() -> {
                        decided(through, "POST", "/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"" + prefix + "\"}", null);
                        for (int i = 2; i <= perWriter; i++) {
                            decided(through, "PUT", "/api/v1/tenants/" + name, "{\"display_name\":\"v" + i + "\"}", "*");
                        }
                        return null;
                    }));
                }
                // Meanwhile a client follows the audit log ascending, through either query service.
                Set<String> seen = new HashSet<>();
                List<String> duplicates = new ArrayList<>();
                String query = "/api/v1/audit?resource=tenant&order=asc&limit=5&since=" + start;
                String[] cursor = {null};
                int[] pages = {0};
                Runnable follow = () -> {
                    JsonNode page;
                    do {
                        Api reader = reads.get(pages[0]++ % reads.size());
                        page = reader.get(query + (cursor[0] == null ? "" : "&cursor=" + cursor[0])).json();
                        for (JsonNode record : page.path("items")) {
                            if (record.path("resource").path("name").asString().startsWith(prefix)
                                    && !seen.add(record.path("event_id").asString())) {
                                duplicates.add(record.path("event_id").asString());
                            }
                        }
                        if (!page.path("next_cursor").isNull()) {
                            cursor[0] = page.path("next_cursor").asString();
                        }
                    } while (!page.path("items").isEmpty());
                };
                await("the writes").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    follow.run();
                    return load.stream().allMatch(Future::isDone);
                });
                for (Future<?> f : load) {
                    f.get();
                }
                pool.shutdown();
                await("every audit record seen").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            follow.run();
                            return seen.size() >= writers * perWriter;
                        });
                assertThat(seen).hasSize(writers * perWriter);
                assertThat(duplicates).isEmpty();

                for (Api reader : reads) {
                    assertThat(reader.get("/api/v1/tenants/" + prefix + "-0").header("ETag")).isEqualTo("\"" + perWriter + "\"");
                }
                await("every tenant event delivered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> receiver.delivered("/" + prefix).size() == writers * perWriter);
                // The dispatcher rebuilds its store: subscriptions from the log, deliveries and attempts carried over,
                // the rebuilt tables the live ones row for row; then it delivers on into them, after every copied id.
                try (SqlStore webhooks = SqlStore.open(database, Stores.WEBHOOKS, 1)) {
                    List<List<String>> before = webhookRows(webhooks);
                    Api dispatcher = api(rest.get(5).base());
                    Api.Response started = dispatcher.post("/api/v1/rebuilds/webhooks", "");
                    assertThat(started.status()).as(started.body()).isEqualTo(202);
                    JsonNode[] progress = new JsonNode[1];
                    await("the webhook store rebuilt").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        progress[0] = dispatcher.get("/api/v1/rebuilds/webhooks").json();
                        return Set.of("done", "failed").contains(progress[0].path("state").asString());
                    });
                    assertThat(progress[0].path("state").asString()).as(progress[0].toString()).isEqualTo("done");
                    assertThat(webhookRows(webhooks)).isEqualTo(before);
                    decided(writes.getFirst(), "POST", "/api/v1/tenants", "{\"name\":\"" + prefix + "-after\",\"cluster\":\"" + prefix + "\"}", null);
                    await("the next event delivered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> receiver.delivered("/" + prefix).size() == writers * perWriter + 1);
                    List<String> deliveries = StoreRows.rows(webhooks, "SELECT id FROM deliveries ORDER BY id");
                    assertThat(deliveries).hasSize(before.get(1).size() + 1);
                }
                // The audit projectors serve their metrics too (the dashboard's audit append rate), behind the metrics
                // token when one is set, however the path is spelled.
                Api audit = api(rest.get(3).base());
                assertThat(audit.withToken("apart-metrics").get("/metrics").body())
                        .containsPattern("admin_projection_lag_seconds_count\\{[^}]*projector=\"audit-projector\"");
                for (String path : List.of("/metrics", "/metrics;x", "/%6Detrics", "/metrics/", "/health/../metrics")) {
                    assertThat(audit.withToken(null).get(path).status()).as(path).isIn(400, 401, 404);
                }
                assertThat(audit.withToken(null).get("/health/readiness").status()).isEqualTo(200);
            } finally {
                for (ServiceProcess process : started) {
                    process.close();
                }
            }
        }
    }

    /** Sends a write with a key, asking again until it is decided (just after the start a write may answer 202). */
    private static void decided(Api api, String method, String path, String body, String ifMatch) {
        String key = UUID.randomUUID().toString();
        await(method + " " + path).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Api.Response response = ifMatch == null ? api.send(method, path, body, "Idempotency-Key", key)
                    : api.send(method, path, body, "Idempotency-Key", key, "If-Match", ifMatch);
            return response.status() == 200 || response.status() == 201;
        });
    }

    private ServiceProcess service(String name, String module, Map<String, String> common, Map<String, String> own, Path dir) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        ServiceProcess process = ServiceProcess.jar(name, module, EmbeddedKafkaBroker.freePort(), env, dir);
        started.add(process);
        return process;
    }

    private static List<List<String>> webhookRows(SqlStore webhooks) throws java.sql.SQLException {
        List<List<String>> rows = new ArrayList<>();
        for (String table : List.of("subscriptions ORDER BY name", "deliveries ORDER BY id", "attempts ORDER BY id")) {
            rows.add(StoreRows.rows(webhooks, "SELECT * FROM " + table));
        }
        return rows;
    }

    private static Api api(String base) {
        return new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), base, TestSystem.TOKEN);
    }
}
