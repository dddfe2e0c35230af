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
 * workers, before and after the drain (the higher is the baseline). The dispatcher's sender is stopped while the
 * events are written and projected, then started: the figure is how fast it drains a backlog, not how fast the
 * writes arrive.
 */
final class WebhookBenchmark {

    private static final int WORKERS = 16;
    /**
     * The drain starts once this process is this quiet: writing the events can leave the JIT compiling the write path
     * and the broker compacting for seconds after, on the two cores the drain needs.
     */
    private static final double QUIET_CORES = 0.5;
    private static final int WARM_UP_EVENTS = 15_000;

    static void run(int events, int subscriptions) throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            run(events, subscriptions, receiver);
        }
    }

    private static void run(int events, int subscriptions, WebhookReceiver receiver) throws Exception {
        String target = receiver.url();

        Path dataDir = ScratchDir.create("admin-bench-webhooks-");
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_DATA_DIR", dataDir.toString());
        env.put("ADMIN_TOKEN", "bench-token");
        try (Standalone system = Standalone.start(env, "--server.port=0", "--logging.level.root=WARN",
                "--admin.webhooks.workers=" + WORKERS)) {
            String body = samplePayload(system);
            // The receiver is a fresh JVM: warm it up first, so the baseline is not its JIT's first seconds.
            rawRate(target, body, receiver, Duration.ofSeconds(3));
            Raw baselineBefore = rawRate(target, body, receiver, Duration.ofSeconds(10));

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
            CommandGateway gateway = system.context().getBean(CommandGateway.class);
            // A first drain, not counted, warms the dispatcher's code up (the raw client had its warm-up): of at least
            // WARM_UP_EVENTS, since after 60,000 deliveries the JIT still spent a sixth of the next drain's CPU.
            drain(gateway, http, system.port(), receiver, sender, "bench-warm", Math.max(events, WARM_UP_EVENTS), subscriptions);
            Drain measured = drain(gateway, http, system.port(), receiver, sender, "bench-cluster", events, subscriptions);
            double rate = measured.delivered() / measured.seconds();
            // Measured again after the drain, and the higher of the two taken: the ratio is then not flattered by a
            // baseline that a noisy neighbour held down for its ten seconds.
            Raw baselineAfter = rawRate(target, body, receiver, Duration.ofSeconds(10));
            Raw baseline = baselineBefore.rate() >= baselineAfter.rate() ? baselineBefore : baselineAfter;
            System.out.printf("Webhook benchmark: %d events x %d subscriptions, %d workers, receiver in its own process, 2 cores%n", events, subscriptions, WORKERS);
            System.out.printf("  raw HTTP client (Apache HttpClient 5, %d in flight), same receiver and body  %8.0f requests/s (%.0f before, %.0f after)%n",
                    WORKERS, baseline.rate(), baselineBefore.rate(), baselineAfter.rate());
            System.out.printf("  webhook deliveries (signed, logged, SSRF-guarded)                           %8.0f deliveries/s (%d in %.1f s,"
                    + " started with this process at %.2f cores)%n", rate, measured.delivered(), measured.seconds(), measured.quietCores());
            System.out.printf("  CPU ms per delivery %.3f against %.3f per raw request (this process and the receiver's)%n",
                    measured.cpuMsPerDelivery(), baseline.cpuMsPerRequest());
            System.out.printf("  CPU ms per delivery by thread: %s%n", measured.byThread().entrySet().stream().limit(8)
                    .map(e -> String.format("%s %.3f", e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", ")));
            System.out.printf("  ratio deliveries / raw requests: %.2f%n", rate / baseline.rate());
        }
    }

    /** One drain: deliveries, seconds, CPU ms per delivery (this process and the receiver's), and by thread of this process. */
    private record Drain(long delivered, double seconds, double cpuMsPerDelivery, Map<String, Double> byThread, double quietCores) {
    }

    /** Writes {@code events} with the sender stopped, waits until they are projected, then times the sender's drain. */
    private static Drain drain(CommandGateway gateway, HttpClient http, int port, WebhookReceiver receiver, Lifecycle sender,
            String prefix, int events, int subscriptions) throws Exception {
        sender.stop();
        long before = receiver.received();
        writeEvents(gateway, prefix, events);
        awaitProjected(http, port);

        long self = ProcessHandle.current().pid();
        double quiet = ProcCpu.awaitQuiet(self, QUIET_CORES, java.time.Duration.ofSeconds(30));
        long cpuBefore = ProcCpu.processTicks(self) + ProcCpu.processTicks(receiver.pid());
        Map<String, Long> threadsBefore = ProcCpu.threadTicks(self);
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
        double cpu = (ProcCpu.processTicks(self) + ProcCpu.processTicks(receiver.pid()) - cpuBefore) * 1000.0 / ProcCpu.TICKS_PER_SECOND;
        return new Drain(delivered, seconds, cpu / delivered, ProcCpu.perUnit(threadsBefore, ProcCpu.threadTicks(self), delivered), quiet);
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

    /** What the raw client achieved: requests per second, and the CPU this process and the receiver spent per request. */
    private record Raw(double rate, double cpuMsPerRequest) {
    }

    private static Raw rawRate(String target, String body, WebhookReceiver receiver, Duration measure) throws Exception {
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(WORKERS * 2).setMaxConnPerRoute(WORKERS).build()).build()) {
            long before = receiver.received();
            long cpuBefore = ProcCpu.processTicks(ProcessHandle.current().pid()) + ProcCpu.processTicks(receiver.pid());
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
            long requests = receiver.received() - before;
            long cpu = ProcCpu.processTicks(ProcessHandle.current().pid()) + ProcCpu.processTicks(receiver.pid()) - cpuBefore;
            return new Raw(requests / (measure.toNanos() / 1e9), cpu * 1000.0 / ProcCpu.TICKS_PER_SECOND / requests);
        }
    }

    private static void writeEvents(CommandGateway gateway, String prefix, int events) throws Exception {
        List<CompletableFuture<CommandResult>> pending = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ResourceRef resource = new ResourceRef("cluster", String.format("%s-%05d", prefix, i));
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
