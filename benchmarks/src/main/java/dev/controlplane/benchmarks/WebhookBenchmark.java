package dev.controlplane.benchmarks;

import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.standalone.Standalone;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.springframework.context.Lifecycle;

/**
 * {@code ./dev bench webhooks [events=1000] [subscriptions=10]}: deliveries per second to a local receiver with
 * every event fanned out to each subscription, against, in the same run, the raw rate of the same HTTP client
 * library posting the same bodies to the same receiver (a process of its own, {@link WebhookReceiver}) with as many requests in flight as the dispatcher has
 * workers. The dispatcher's sender is stopped while the events are written and projected, then started: the
 * figure is how fast it drains a backlog, not how fast the writes arrive.
 */
final class WebhookBenchmark {

    private static final int WORKERS = 16;

    static void run(int events, int subscriptions) throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            run(events, subscriptions, receiver);
        }
    }

    private static void run(int events, int subscriptions, WebhookReceiver receiver) throws Exception {
        String target = receiver.url();

        Path dataDir = Files.createTempDirectory("admin-bench-webhooks-");
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_DATA_DIR", dataDir.toString());
        env.put("ADMIN_TOKEN", "bench-token");
        try (Standalone system = Standalone.start(env, "--server.port=0", "--logging.level.root=WARN",
                "--admin.webhooks.workers=" + WORKERS)) {
            String body = samplePayload(system);
            double baseline = rawRate(target, body, receiver, Duration.ofSeconds(10));

            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < subscriptions; i++) {
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.port() + "/api/v1/webhooks"))
                        .header("Authorization", "Bearer bench-token").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench-hook-" + i + "\",\"url\":\"" + target + "/" + i
                                + "\",\"events\":[\"cluster.created\"]}")).build(), HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 201) {
                    throw new IllegalStateException("setup failed: " + created.body());
                }
            }
            Lifecycle sender = system.context().getBean("deliverySender", Lifecycle.class);
            sender.stop();
            long before = receiver.received();
            writeEvents(system.context().getBean(CommandGateway.class), events);
            awaitProjected(http, system.port());

            long start = System.nanoTime();
            sender.start();
            long expected = before + (long) events * subscriptions;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (receiver.received() < expected && System.nanoTime() < deadline) {
                // The drain is the measurement: waiting for it to end is reading a stopwatch.
                TimeUnit.MILLISECONDS.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long delivered = receiver.received() - before;
            double rate = delivered / seconds;
            System.out.printf("Webhook benchmark: %d events x %d subscriptions, %d workers, receiver in its own process, 2 cores%n", events, subscriptions, WORKERS);
            System.out.printf("  raw HTTP client (Apache HttpClient 5, %d in flight), same receiver and body  %8.0f requests/s%n", WORKERS, baseline);
            System.out.printf("  webhook deliveries (signed, logged, SSRF-guarded)                           %8.0f deliveries/s (%d in %.1f s)%n",
                    rate, delivered, seconds);
            System.out.printf("  ratio deliveries / raw requests: %.2f%n", rate / baseline);
        }
    }

    /** A body of the size deliveries have: one cluster.created event as a webhook payload. */
    private static String samplePayload(Standalone system) {
        return "{\"type\":\"cluster.created\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"id\":\"" + UUID.randomUUID()
                + "\",\"type\":\"cluster.created\",\"schema_version\":1,\"resource\":{\"kind\":\"cluster\",\"name\":\"bench-cluster-00001\"},"
                + "\"sequence\":1,\"command_id\":\"" + UUID.randomUUID() + "\",\"actor\":\"bench\",\"request\":{\"request_id\":\"r\","
                + "\"source_ip\":\"127.0.0.1\",\"user_agent\":\"bench\"},\"occurred_at\":\"" + Instant.now() + "\",\"data\":{\"name\":"
                + "\"bench-cluster-00001\",\"display_name\":\"bench-cluster-00001\",\"status\":\"active\",\"created_at\":\""
                + Instant.now() + "\",\"created_by\":\"bench\"},\"changes\":{}}}";
    }

    private static double rawRate(String target, String body, WebhookReceiver receiver, Duration measure) throws Exception {
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(WORKERS * 2).setMaxConnPerRoute(WORKERS).build()).build()) {
            long before = receiver.received();
            long end = System.nanoTime() + measure.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() < end) {
                        HttpPost post = new HttpPost(target + "/raw");
                        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                        try {
                            client.execute(post, response -> {
                                EntityUtils.consume(response.getEntity());
                                return null;
                            });
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            return (receiver.received() - before) / (measure.toNanos() / 1e9);
        }
    }

    private static void writeEvents(CommandGateway gateway, int events) throws Exception {
        List<CompletableFuture<CommandResult>> pending = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ResourceRef resource = new ResourceRef("cluster", String.format("bench-cluster-%05d", i));
            pending.add(gateway.send(new CommandEnvelope(UUID.randomUUID(), "cluster.create", 1, resource, null, "bench",
                    new RequestContext("r", "127.0.0.1", "bench"), Instant.now(), "h" + i, Envelopes.MAPPER.createObjectNode(), null)));
            if (pending.size() >= 256) {
                for (CompletableFuture<CommandResult> result : pending) {
                    result.get(60, TimeUnit.SECONDS);
                }
                pending.clear();
            }
        }
        for (CompletableFuture<CommandResult> result : pending) {
            result.get(60, TimeUnit.SECONDS);
        }
    }

    /** Waits until the dispatcher's consumer group has read every event (its lag in /api/v1/status is 0). */
    private static void awaitProjected(HttpClient http, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/status"))
                    .header("Authorization", "Bearer bench-token").build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            for (var consumer : Envelopes.MAPPER.readTree(status.body()).path("consumers")) {
                if (consumer.path("group").asString().equals("webhook-dispatcher") && consumer.path("lag").asLong() == 0) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the dispatcher did not read the events within 5 minutes");
    }
}
