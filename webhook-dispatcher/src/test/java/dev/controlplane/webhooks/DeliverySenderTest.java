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
 * The sender against receivers that do not answer in time, on a real SQLite store and a real HTTP receiver: a stop
 * gives back at once what its workers had not started, and no attempt outlives the lease it was made under.
 */
class DeliverySenderTest {

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
        var handlers = java.util.concurrent.Executors.newCachedThreadPool();
        receiver.setExecutor(handlers);
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
            handlers.shutdownNow();
        }
    }

    @Test
    void anAnswerThatTricklesIn_isCutOffBeforeTheLeaseEnds_andRecordedAsAFailedAttempt() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            requests.incrementAndGet();
            // A byte every 100 ms: never idle for a read timeout, never done (a 1 KiB read would take 100 s).
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                for (int i = 0; i < 600; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.io.IOException | InterruptedException cutOff) {
                // the dispatcher hung up
            }
            exchange.close();
        });
        var handlers = java.util.concurrent.Executors.newCachedThreadPool();
        receiver.setExecutor(handlers);
        receiver.start();
        Path dir = dev.controlplane.jdbcstore.TestDirs.create("webhook-cut-off-");
        String key = SecretBox.newKey();
        // A 2 s attempt timeout: a lease of 16 s (three timeouts and 10 s), the attempt cut off 15 s after its claim.
        WebhookSettings settings = new WebhookSettings(key, List.of("127.0.0.0/8"), Duration.ofHours(1), List.of(Duration.ZERO), 0,
                Duration.ofSeconds(2), Duration.ofDays(5), 1, "jdbc:sqlite:" + dir.resolve("webhooks.db"), null);
        try (SqlStore sql = SqlStore.open(Database.at(settings.storeUrl()), "webhooks", 1)) {
            SubscriptionProjection projection = new SubscriptionProjection(sql, settings.lease());
            AttemptLog log = new AttemptLog(sql);
            Instant now = Instant.now();
            // One delivery: the webhook's own creation (it asks for every event).
            projection.project(List.of(TestEvents.subscription("trickle", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    key, now.minusSeconds(60), now)), SqlStore.Checkpoint.NONE, now);

            DeliverySender sender = new DeliverySender(new DeliveryQueue(sql, settings.instanceId(), settings.lease()), projection, settings, null);
            sender.start();
            try {
                await().atMost(Duration.ofSeconds(45)).until(() -> log.deliveries("trickle", "failed", null, null, null, 10).size() == 1);
            } finally {
                sender.stop();
            }
            Delivery failed = log.deliveries("trickle", "failed", null, null, null, 10).getFirst();
            assertThat(log.attempts(failed.id())).singleElement().satisfies(attempt -> {
                assertThat(attempt.error()).startsWith("cut off before its lease ended");
                // It ran until the cut-off, not into a read timeout, and ended within the lease.
                assertThat(attempt.latencyMs()).isBetween(settings.lease().minus(settings.attemptTimeout().multipliedBy(2)).toMillis(),
                        settings.lease().toMillis());
            });
            assertThat(requests).hasValue(1);
        } finally {
            receiver.stop(0);
            handlers.shutdownNow();
        }
    }

    @Test
    void anAnswerWhoseBodyGoesOn_countsAsSoonAsItsStatusAndFirstKibibyteAreIn() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            // 204-worthy, but followed by a body that never ends: more than what is logged at once, then a trickle.
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                out.write("y".repeat(DeliverySender.RESPONSE_BODY_LIMIT + 100).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 600; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.io.IOException | InterruptedException hungUp) {
                // the dispatcher hung up
            }
            exchange.close();
        });
        var handlers = java.util.concurrent.Executors.newCachedThreadPool();
        receiver.setExecutor(handlers);
        receiver.start();
        Path dir = dev.controlplane.jdbcstore.TestDirs.create("webhook-long-body-");
        String key = SecretBox.newKey();
        WebhookSettings settings = new WebhookSettings(key, List.of("127.0.0.0/8"), Duration.ofHours(1), List.of(Duration.ZERO), 0,
                Duration.ofSeconds(2), Duration.ofDays(5), 1, "jdbc:sqlite:" + dir.resolve("webhooks.db"), null);
        try (SqlStore sql = SqlStore.open(Database.at(settings.storeUrl()), "webhooks", 1)) {
            SubscriptionProjection projection = new SubscriptionProjection(sql, settings.lease());
            AttemptLog log = new AttemptLog(sql);
            Instant now = Instant.now();
            projection.project(List.of(TestEvents.subscription("long", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    key, now.minusSeconds(60), now)), SqlStore.Checkpoint.NONE, now);

            DeliverySender sender = new DeliverySender(new DeliveryQueue(sql, settings.instanceId(), settings.lease()), projection, settings, null);
            sender.start();
            try {
                // Well before the cut-off (15 s after the claim).
                await().atMost(Duration.ofSeconds(10)).until(() -> log.deliveries("long", "succeeded", null, null, null, 10).size() == 1);
            } finally {
                sender.stop();
            }
            Delivery succeeded = log.deliveries("long", "succeeded", null, null, null, 10).getFirst();
            assertThat(log.attempts(succeeded.id())).singleElement().satisfies(attempt -> {
                assertThat(attempt.statusCode()).isEqualTo(200);
                assertThat(attempt.error()).isNull();
                assertThat(attempt.responseBody()).hasSize(DeliverySender.RESPONSE_BODY_LIMIT);
            });
        } finally {
            receiver.stop(0);
            handlers.shutdownNow();
        }
    }
}
