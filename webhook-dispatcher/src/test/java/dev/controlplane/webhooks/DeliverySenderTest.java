package dev.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.webhooksupport.SecretBox;
import dev.controlplane.webhooksupport.WebhookSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
        // One worker, so that a claim (twice the workers before any attempt has ended) leaves one waiting for it.
        try (Harness harness = new Harness(Duration.ofSeconds(20), exchange -> {
            requests.incrementAndGet();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        })) {
            // Four deliveries: the webhook's own creation (it asks for every event) and three tenants.
            Instant now = Instant.now();
            List<EventEnvelope> tenants = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tenants.add(TestEvents.tenantCreated("t" + i, now));
            }
            AttemptLog log = harness.subscribe("slow", tenants);

            DeliverySender sender = harness.sender();
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
        }
    }

    @Test
    void anAnswerThatTricklesIn_isCutOffBeforeTheLeaseEnds_andRecordedAsAFailedAttempt() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        // A 2 s attempt timeout: a lease of 16 s (three timeouts and 10 s), the attempt cut off 15 s after its claim.
        try (Harness harness = new Harness(Duration.ofSeconds(2), exchange -> {
            requests.incrementAndGet();
            // A byte every 100 ms: never idle for a read timeout, never done (a 1 KiB read would take 100 s).
            answerEndlessly(exchange, new byte[0]);
        })) {
            AttemptLog log = harness.subscribe("trickle", List.of());
            DeliverySender sender = harness.sender();
            sender.start();
            try {
                await().atMost(Duration.ofSeconds(45)).until(() -> log.deliveries("trickle", "failed", null, null, null, 10).size() == 1);
            } finally {
                sender.stop();
            }
            Delivery failed = log.deliveries("trickle", "failed", null, null, null, 10).getFirst();
            Duration lease = harness.settings.lease();
            assertThat(log.attempts(failed.id())).singleElement().satisfies(attempt -> {
                assertThat(attempt.error()).startsWith("cut off before its lease ended");
                // It ran until the cut-off, not into a read timeout, and ended within the lease.
                assertThat(attempt.latencyMs()).isBetween(lease.minus(harness.settings.attemptTimeout().multipliedBy(2)).toMillis(),
                        lease.toMillis());
            });
            assertThat(requests).hasValue(1);
        }
    }

    @Test
    void anAnswerWhoseBodyGoesOn_countsAsSoonAsItsStatusAndFirstKibibyteAreIn() throws Exception {
        // 204-worthy, but followed by a body that never ends: more than what is logged at once, then a trickle.
        byte[] start = "y".repeat(DeliverySender.RESPONSE_BODY_LIMIT + 100).getBytes(StandardCharsets.US_ASCII);
        try (Harness harness = new Harness(Duration.ofSeconds(2), exchange -> answerEndlessly(exchange, start))) {
            AttemptLog log = harness.subscribe("long", List.of());
            DeliverySender sender = harness.sender();
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
        }
    }

    /** Answers 200 with {@code start}, then a byte every 100 ms for a minute, or until the dispatcher hangs up. */
    private static void answerEndlessly(com.sun.net.httpserver.HttpExchange exchange, byte[] start) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(start);
            out.flush();
            for (int i = 0; i < 600; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException hungUp) {
            // the dispatcher hung up
        }
        exchange.close();
    }

    /** A receiver answering with {@code handler}, and a store of one worker's dispatcher with subscriptions pointed at it. */
    private static final class Harness implements AutoCloseable {
        final HttpServer receiver;
        final ExecutorService handlers = Executors.newCachedThreadPool();
        final String key = SecretBox.newKey();
        final WebhookSettings settings;
        final SqlStore sql;
        final SubscriptionProjection projection;

        Harness(Duration attemptTimeout, HttpHandler handler) throws IOException {
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            receiver.createContext("/", handler);
            receiver.setExecutor(handlers);
            receiver.start();
            settings = new WebhookSettings(key, List.of("127.0.0.0/8"), Duration.ofHours(1), List.of(Duration.ZERO), 0, attemptTimeout,
                    Duration.ofDays(5), 1, "jdbc:sqlite:" + dev.controlplane.jdbcstore.TestDirs.create("webhook-sender-").resolve("webhooks.db"), null);
            sql = SqlStore.open(Database.at(settings.storeUrl()), "webhooks", 1);
            projection = new SubscriptionProjection(sql, settings.lease());
        }

        /** Projects a subscription {@code name} to every event, then {@code events}; returns the store's attempt log. */
        AttemptLog subscribe(String name, List<EventEnvelope> events) throws Exception {
            Instant now = Instant.now();
            List<EventEnvelope> all = new ArrayList<>();
            all.add(TestEvents.subscription(name, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", key,
                    now.minusSeconds(60), now));
            all.addAll(events);
            projection.project(all, SqlStore.Checkpoint.NONE, now);
            return new AttemptLog(sql);
        }

        DeliverySender sender() {
            return new DeliverySender(new DeliveryQueue(sql, settings.instanceId(), settings.lease()), projection, settings, null);
        }

        @Override
        public void close() {
            sql.close();
            receiver.stop(0);
            handlers.shutdownNow();
        }
    }
}
