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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A stop gives back at once what its workers had not started, while the attempt under way still runs: the claims
 * queued behind a stuck receiver are due again for any dispatcher, not held until their lease ends. Real SQLite store,
 * real HTTP receiver.
 */
class DeliverySenderStopTest {

    @Test
    void aStop_givesTheUnstartedClaimsBackAtOnce_whileTheAttemptUnderWayGoesOn() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        CountDownLatch answer = new CountDownLatch(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
        Path dir = dev.controlplane.jdbcstore.TestDirs.create("webhook-stop-");
        String key = SecretBox.newKey();
        // One worker, so that a claim (twice the workers before any attempt has ended) leaves one waiting for it.
        WebhookSettings settings = new WebhookSettings(key, List.of("127.0.0.0/8"), Duration.ofHours(1), List.of(Duration.ZERO), 0,
                Duration.ofSeconds(20), Duration.ofDays(5), 1, "jdbc:sqlite:" + dir.resolve("webhooks.db"), null);
        try (SqlStore sql = SqlStore.open(Database.at(settings.storeUrl()), "webhooks", 1)) {
            SubscriptionProjection projection = new SubscriptionProjection(sql, settings.lease());
            AttemptLog log = new AttemptLog(sql);
            Instant now = Instant.now();
            EventEnvelope hook = TestEvents.subscription("slow", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", key,
                    now.minusSeconds(60), now);
            // Four deliveries: the webhook's own creation (it asks for every event) and three tenants.
            List<EventEnvelope> events = new ArrayList<>();
            events.add(hook);
            for (int i = 0; i < 3; i++) {
                events.add(TestEvents.tenantCreated("t" + i, now));
            }
            projection.project(events, SqlStore.Checkpoint.NONE, now);

            DeliverySender sender = new DeliverySender(new DeliveryQueue(sql, settings.instanceId(), settings.lease()), projection, settings, null);
            sender.start();
            CompletableFuture<Void> stopped;
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(requests).hasValue(1);
                    assertThat(log.deliveries("slow", null, null, null, null, 10)).extracting(Delivery::status)
                            .containsExactlyInAnyOrder("sending", "sending", "pending", "pending");
                });

                stopped = CompletableFuture.runAsync(sender::stop);
                // The receiver still holds the first attempt; the one queued behind it is due again already.
                await().atMost(Duration.ofSeconds(10)).until(() -> log.deliveries("slow", "pending", null, null, null, 10).size() == 3);
                assertThat(log.deliveries("slow", "sending", null, null, null, 10)).hasSize(1);
                assertThat(stopped).isNotDone();
            } finally {
                answer.countDown();
                // Already stopping, unless an assertion failed first.
                sender.stop();
            }
            stopped.get(30, TimeUnit.SECONDS);
            assertThat(log.deliveries("slow", "succeeded", null, null, null, 10)).hasSize(1);
            assertThat(log.deliveries("slow", "pending", null, null, null, 10)).hasSize(3)
                    .allSatisfy(delivery -> assertThat(delivery.attempts()).isZero());
            assertThat(requests).hasValue(1);
        } finally {
            receiver.stop(0);
        }
    }
}
