package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.ConsumerGroups;
import dev.controlplane.webhooksupport.SecretBox;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The system as it is deployed: three KRaft brokers, two command services, two query services, the audit projector
 * and two webhook dispatchers, each a process of its own from its executable jar, configured by the environment.
 * Concurrent clients write and read while faults are injected; afterwards {@link HistoryChecker} verifies every
 * promise against the log. It prints the counts (operations, acknowledged, faults, anomalies by kind).
 */
class FaultRunIT {

    private final List<ServiceProcess> started = new ArrayList<>();
    private final Map<String, Integer> faults = new LinkedHashMap<>();

    private void fault(String kind) {
        faults.merge(kind, 1, Integer::sum);
    }

    @Test
    void underFaults_everyPromiseHolds() throws Exception {
        Path dir = TestSystem.newDataDir();
        String prefix = "fault-" + UUID.randomUUID().toString().substring(0, 6);
        History history = new History();
        List<Long> takenOver = List.of();
        try (KafkaCluster kafka = new KafkaCluster(dir); DeliveryLog deliveries = new DeliveryLog()) {
            kafka.start();
            Map<String, String> env = new HashMap<>();
            env.put("ADMIN_KAFKA_BOOTSTRAPSERVERS", kafka.bootstrapServers());
            env.put("ADMIN_AUTH_TOKEN", TestSystem.TOKEN);
            env.put("ADMIN_AUTH_CURSORSECRET", "fault-run-cursor-secret");
            env.put("ADMIN_AUTH_SECRETKEY", "fault-run-secret-key");
            env.put("ADMIN_WEBHOOKS_SECRETKEY", SecretBox.newKey());
            env.put("ADMIN_WEBHOOKS_ALLOWEDPRIVATETARGETS", "127.0.0.0/8");
            env.put("ADMIN_WEBHOOKS_RETRYSCHEDULE", "0s,1s,1s,2s,2s,3s,3s,4s,4s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s");
            env.put("ADMIN_WEBHOOKS_JITTER", "0");
            env.put("ADMIN_WEBHOOKS_ATTEMPTTIMEOUT", "2s");
            env.put("ADMIN_WEBHOOKS_DISABLEAFTER", "1d");
            env.put("ADMIN_WEBHOOKS_STOREURL", "jdbc:sqlite:" + dir.resolve("webhooks.db"));
            env.put("ADMIN_QUERY_AUDITURL", "jdbc:sqlite:" + dir.resolve("audit.db"));
            env.put("ADMIN_AUDIT_URL", "jdbc:sqlite:" + dir.resolve("audit.db"));

            List<ServiceProcess> commands = List.of(
                    service("command-1", "command-service", env, Map.of("ADMIN_PROCESSOR_STATEDIR", dir.resolve("processor-1").toString()), dir),
                    service("command-2", "command-service", env, Map.of("ADMIN_PROCESSOR_STATEDIR", dir.resolve("processor-2").toString()), dir));
            List<ServiceProcess> queries = List.of(
                    service("query-1", "query-service", env, Map.of("ADMIN_QUERY_READMODELURL", "jdbc:sqlite:" + dir.resolve("read-model-1.db")), dir),
                    service("query-2", "query-service", env, Map.of("ADMIN_QUERY_READMODELURL", "jdbc:sqlite:" + dir.resolve("read-model-2.db")), dir));
            ServiceProcess audit = service("audit", "audit-projector", env, Map.of(), dir);
            List<ServiceProcess> dispatchers = List.of(
                    service("dispatcher-1", "webhook-dispatcher", env, Map.of("ADMIN_WEBHOOKS_INSTANCEID", "dispatcher-1"), dir),
                    service("dispatcher-2", "webhook-dispatcher", env, Map.of("ADMIN_WEBHOOKS_INSTANCEID", "dispatcher-2"), dir));
            try {
                // The first command service provisions the topics; the rest start against them together.
                commands.getFirst().start().awaitReady(Duration.ofSeconds(180));
                List<ServiceProcess> rest = new ArrayList<>(List.of(commands.get(1), queries.get(0), queries.get(1), audit,
                        dispatchers.get(0), dispatchers.get(1)));
                rest.forEach(ServiceProcess::start);
                rest.forEach(p -> p.awaitReady(Duration.ofSeconds(240)));

                Api admin = new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), commands.getFirst().base(),
                        TestSystem.TOKEN);
                // Just after the start the processors may still be sharing out their partitions: a write can answer
                // 202 and be decided a little later, so these are sent with a key and asked again until decided.
                await("the cluster main created").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        admin.post("/api/v1/clusters", "{\"name\":\"main\",\"kind\":\"metrics\"}", "Idempotency-Key", "main").status() == 201);
                String path = "/" + prefix;
                await("the subscription created").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        admin.post("/api/v1/webhooks", "{\"name\":\"" + prefix + "\",\"url\":\"" + deliveries.url(path)
                                + "\",\"events\":[\"tenant.*\"]}", "Idempotency-Key", "subscription").status() == 201);
                Instant subscribedAt = Instant.now();

                try (LoadClients load = new LoadClients(history, () -> live(commands), () -> live(queries), TestSystem.TOKEN, prefix, 6).start()) {
                    progress(history, 80);

                    commands.get(0).kill();
                    fault("SIGKILL of a command service (processor and gateway)");
                    progress(history, 100);
                    commands.get(0).start().awaitReady(Duration.ofSeconds(180));

                    commands.get(1).pause();
                    fault("SIGSTOP of a command service past its session timeout, then SIGCONT");
                    // Until the group has expelled it: its partitions went to the other instance, it is a zombie.
                    await("the paused processor expelled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                            .ignoreExceptions().until(() -> kafka.members(ConsumerGroups.PROCESSOR) == 1);
                    progress(history, 50);
                    commands.get(1).resume();
                    commands.get(1).awaitReady(Duration.ofSeconds(180));

                    audit.kill();
                    fault("SIGKILL of the audit projector mid-batch");
                    progress(history, 50);
                    audit.start().awaitReady(Duration.ofSeconds(180));

                    kafka.node(3).kill();
                    fault("SIGKILL of a broker, then restart");
                    progress(history, 60);
                    kafka.node(3).start();
                    kafka.awaitFullyReplicated(Duration.ofSeconds(120));

                    int busiest = kafka.busiestLeader();
                    kafka.node(busiest).kill();
                    fault("SIGKILL of the controller-and-broker leading the most partitions (node " + busiest + "), then restart");
                    progress(history, 60);
                    kafka.node(busiest).start();
                    kafka.awaitFullyReplicated(Duration.ofSeconds(120));

                    for (ServiceProcess query : queries) {
                        assertThat(query.stop()).isTrue();
                        query.start().awaitReady(Duration.ofSeconds(180));
                    }
                    fault("rolling restart of the query services");

                    // Failing slowly: deliveries are retried, and while an attempt hangs its delivery is leased.
                    deliveries.failing(true);
                    deliveries.slow(true);
                    await("retries in flight on dispatcher-1").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> leasedBy(dir.resolve("webhooks.db"), "dispatcher-1").size() >= 3);
                    List<Long> orphaned = leasedBy(dir.resolve("webhooks.db"), "dispatcher-1");
                    dispatchers.get(0).kill();
                    fault("SIGKILL of a webhook dispatcher with retries in flight");
                    deliveries.slow(false);
                    deliveries.failing(false);
                    progress(history, 60);
                    takenOver = orphaned;
                }

                HistoryChecker.Log[] log = new HistoryChecker.Log[1];
                await("every command decided").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> (log[0] = HistoryChecker.Log.read(kafka.bootstrapServers(), prefix)).decided());
                HistoryChecker.Report[] report = new HistoryChecker.Report[1];
                try {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                        report[0] = new HistoryChecker().check(HistoryChecker.Log.read(kafka.bootstrapServers(), prefix), history,
                                prefix, List.of(dir.resolve("read-model-1.db"), dir.resolve("read-model-2.db")), dir.resolve("audit.db"),
                                deliveries, path, subscribedAt, dir.resolve("webhooks.db"));
                        return report[0].clean();
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // the report below says what never came right
                }
                // The receiver may have every delivery already (the killed dispatcher sent them; their answers never
                // reached it): the other takes them over only once their leases have run out, which the check waits for.
                List<Long> orphans = takenOver;
                List<List<Long>> strandedNow = new ArrayList<>(List.of(orphans));
                try {
                    await("leases of the killed dispatcher taken over").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> {
                                strandedNow.set(0, attemptedOnlyBy(dir.resolve("webhooks.db"), orphans, "dispatcher-1"));
                                return strandedNow.get(0).isEmpty();
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // the assertion below names them
                }
                List<Long> stranded = strandedNow.get(0);
                StringBuilder printed = new StringBuilder("fault run:");
                printed.append("\n  deliveries in flight on the killed dispatcher: ").append(takenOver.size())
                        .append(", not taken over by the other: ").append(stranded.size());
                faults.forEach((kind, times) -> printed.append("\n  fault ").append(kind).append(": ").append(times));
                printed.append("\n  faults injected: ").append(faults.values().stream().mapToInt(Integer::intValue).sum());
                System.out.println(printed + "\n" + report[0]);
                assertThat(report[0].anomalies()).as(printed + "\n" + report[0]).isEmpty();
                assertThat(stranded).as("deliveries leased by the killed dispatcher were sent by the other").isEmpty();
            } finally {
                for (ServiceProcess process : started) {
                    process.close();
                }
            }
        }
    }

    private ServiceProcess service(String name, String module, Map<String, String> common, Map<String, String> own, Path dir) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        ServiceProcess process = ServiceProcess.jar(name, module, dev.controlplane.embeddedkafka.EmbeddedKafkaBroker.freePort(), env, dir);
        started.add(process);
        return process;
    }

    private static List<String> live(List<ServiceProcess> services) {
        List<String> live = services.stream().filter(ServiceProcess::alive).map(ServiceProcess::base).toList();
        return live.isEmpty() ? services.stream().map(ServiceProcess::base).toList() : live;
    }

    /** Waits until the clients have completed {@code operations} more operations: the load goes on meanwhile. */
    private static void progress(History history, int operations) {
        int target = history.operations().size() + operations;
        await("load progress").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> history.operations().size() >= target);
    }

    /** The deliveries {@code dispatcher} holds a lease on now, being sent. */
    private static List<Long> leasedBy(Path store, String dispatcher) throws Exception {
        try (SqlStore sql = SqlStore.open(Database.at("jdbc:sqlite:" + store), "webhooks", 1)) {
            return sql.read(c -> {
                List<Long> ids = new ArrayList<>();
                try (var ps = c.prepareStatement("SELECT id FROM deliveries WHERE status = 'sending' AND claimed_by = ?")) {
                    ps.setString(1, dispatcher);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                return ids;
            });
        }
    }

    /** Of {@code deliveries}, those no dispatcher but {@code dispatcher} attempted and {@code dispatcher} never delivered. */
        private static List<Long> attemptedOnlyBy(Path store, List<Long> deliveries, String dispatcher) throws Exception {
        try (SqlStore sql = SqlStore.open(Database.at("jdbc:sqlite:" + store), "webhooks", 1)) {
            return sql.read(c -> {
                List<Long> stranded = new ArrayList<>();
                for (long id : deliveries) {
                    // The killed one may still have finished an attempt between the lease being seen and the kill.
                    try (var ps = c.prepareStatement("SELECT count(*) FROM attempts WHERE delivery_id = ?"
                            + " AND (dispatcher <> ? OR status_code BETWEEN 200 AND 299)")) {
                        ps.setLong(1, id);
                        ps.setString(2, dispatcher);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) == 0) {
                                stranded.add(id);
                            }
                        }
                    }
                }
                return stranded;
            });
        }
    }
}
