package dev.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.webhooksupport.SecretBox;
import dev.controlplane.webhooksupport.WebhookSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The guard works again at delivery, not only at registration: a subscription whose target is (or has become) a
 * private address gets no request, only a failed attempt saying why. Real SQLite store, real HTTP receiver.
 */
class DeliveryGuardTest {

    @Test
    void aTargetThatIsPrivateAtDeliveryTime_isNeverDialled() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        Path dir = dev.controlplane.jdbcstore.TestDirs.create("webhook-guard-");
        String key = SecretBox.newKey();
        WebhookSettings settings = new WebhookSettings(key, List.of(), Duration.ofHours(1), List.of(Duration.ZERO), 0,
                Duration.ofSeconds(2), Duration.ofDays(5), 2, "jdbc:sqlite:" + dir.resolve("webhooks.db"), null);
        try (SqlStore sql = SqlStore.open(Database.at(settings.storeUrl()), "webhooks", 1)) {
            SubscriptionProjection projection = new SubscriptionProjection(sql, settings.lease());
            AttemptLog store = new AttemptLog(sql);
            Instant now = Instant.now();
            EventEnvelope hook = TestEvents.subscription("inside", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", key,
                    now.minusSeconds(60), now);
            projection.project(List.of(hook, TestEvents.tenantCreated("acme", now)), SqlStore.Checkpoint.NONE, now);

            DeliverySender sender = new DeliverySender(new DeliveryQueue(sql, settings.instanceId(), settings.lease()), projection, settings, null);
            sender.start();
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    List<Delivery> failed = store.deliveries("inside", "failed", null, null, null, 10);
                    assertThat(failed).isNotEmpty();
                    assertThat(store.attempts(failed.getFirst().id())).first()
                            .satisfies(attempt -> assertThat(attempt.error()).startsWith("target refused"));
                });
            } finally {
                sender.stop();
            }
        } finally {
            receiver.stop(0);
        }
        assertThat(requests).hasValue(0);
    }
}
