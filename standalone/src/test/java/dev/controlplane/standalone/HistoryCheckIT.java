package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The fault run's checker on a single-node history, in the ordinary suite: concurrent clients write and read for a
 * while, then every promise is checked against the log. A regression in any of them is caught without the cluster.
 */
class HistoryCheckIT {

    private final Standalone system = TestSystem.shared();

    @Test
    void aConcurrentHistory_keepsEveryPromise() throws Exception {
        String prefix = "hist-" + UUID.randomUUID().toString().substring(0, 6);
        String base = "http://127.0.0.1:" + system.port();
        History history = new History();
        try (DeliveryLog deliveries = new DeliveryLog()) {
            String path = "/" + prefix;
            Api.Response subscribed = Api.of(system).post("/api/v1/webhooks", "{\"name\":\"" + prefix + "\",\"url\":\""
                    + deliveries.url(path) + "\",\"events\":[\"tenant.*\"]}");
            assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
            Instant subscribedAt = Instant.now();
            try {
                try (LoadClients load = new LoadClients(history, () -> List.of(base), () -> List.of(base), system.token(), prefix, 4).start()) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> history.operations().size() >= 300);
                }
                HistoryChecker.Log[] log = new HistoryChecker.Log[1];
                await().atMost(Duration.ofSeconds(60)).until(() -> (log[0] = HistoryChecker.Log.read(system.bootstrapServers(), prefix)).decided());
                HistoryChecker.Report[] report = new HistoryChecker.Report[1];
                // The stores and the deliveries follow the log: the check holds once they have caught up.
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                        report[0] = new HistoryChecker().check(HistoryChecker.Log.read(system.bootstrapServers(), prefix), history,
                                prefix, List.of(system.dataDir().resolve("read-model.db")), system.dataDir().resolve("audit.db"),
                                deliveries, path, subscribedAt, system.dataDir().resolve("webhooks.db"));
                        return report[0].clean();
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // the report below says what never came right
                }
                System.out.println(report[0]);
                assertThat(report[0].anomalies()).as(report[0].toString()).isEmpty();
                assertThat(report[0].counts().get("acknowledged writes")).isGreaterThan(20);
            } finally {
                Api.of(system).put("/api/v1/webhooks/" + prefix, "{\"status\":\"inactive\"}", "If-Match", "*");
            }
        }
    }
}
