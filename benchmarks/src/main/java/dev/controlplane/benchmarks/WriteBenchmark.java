package dev.controlplane.benchmarks;

import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LatencyRecorder;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.standalone.Standalone;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./dev bench [writers] [seconds] [--spring.property=value …]}: first the write curve from outside
 * ({@link WriteCurve}: the standalone jar and wrk each in their own process); then, in this JVM, starts the standalone
 * system on a fresh data directory and measures in one run (1) raw Kafka request/reply, plain and exactly-once (also writing, like the processor, two more
 * records per request in the same transaction), on the same broker, (2) the same writes sent
 * straight into the command gateway, (3) HTTP writes — each writer updates its own resources with If-Match — and
 * (4) projection lag at a paced 1,000 writes/s.
 */
final class WriteBenchmark {

    private static final int RESOURCES_PER_WRITER = 4;

    static void main(String[] args) throws Exception {
        int writers = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        Duration measure = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
        Duration warmup = Duration.ofSeconds(5);
        Path dataDir = ScratchDir.create("admin-bench-");
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_DATA_DIR", dataDir.toString());
        env.put("ADMIN_TOKEN", "bench-token");
        // Further arguments are Spring properties for the system under test, e.g. --admin.processor.commit-interval=10ms
        String[] systemArgs = new String[Math.max(0, args.length - 2) + 2];
        systemArgs[0] = "--server.port=0";
        systemArgs[1] = "--logging.level.root=WARN";
        if (args.length > 2) {
            System.arraycopy(args, 2, systemArgs, 2, args.length - 2);
        }
        // From outside first, while nothing else of this run holds the cores.
        WriteCurve.Figures external = WriteCurve.run(measure.compareTo(Duration.ofSeconds(10)) < 0 ? measure : Duration.ofSeconds(10),
                Arrays.copyOfRange(systemArgs, 2, systemArgs.length));
        List<KafkaRoundTrips.Result> inProcess = new ArrayList<>();
        try (Standalone system = Standalone.start(env, systemArgs)) {
            String base = "http://127.0.0.1:" + system.port() + "/api/v1/tenants/";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long[][] versions = createResources(http, base, writers);

            int partitions = system.context().getBean(KafkaSettings.class).partitions();
            String kafka = system.bootstrapServers();
            KafkaRoundTrips.Result plain = KafkaRoundTrips.run(kafka, partitions, false, 0, writers, warmup, measure);
            KafkaRoundTrips.Result eos = KafkaRoundTrips.run(kafka, partitions, true, 0, writers, warmup, measure);
            KafkaRoundTrips.Result eosLikeProcessor = KafkaRoundTrips.run(kafka, partitions, true, 2, writers, warmup, measure);
            KafkaRoundTrips.Result httpOnly = httpHealth(http, "http://127.0.0.1:" + system.port() + "/health", writers, warmup, measure);
            KafkaRoundTrips.Result gateway = gatewayWrites(
                    system.context().getBean(CommandGateway.class), versions, writers, warmup, measure);
            KafkaRoundTrips.Result writes = httpWrites(http, base, BOOTSTRAP, versions, writers, warmup, measure, 0);
            // The same writes with an API token (looked up by hash in the caller directory), alternating with the
            // bootstrap token so that neither gets the quieter half of the run.
            String apiToken = apiToken(http, base);
            Duration half = measure.dividedBy(2);
            KafkaRoundTrips.Result[] bootstrapRounds = new KafkaRoundTrips.Result[2];
            KafkaRoundTrips.Result[] tokenRounds = new KafkaRoundTrips.Result[2];
            for (int round = 0; round < 2; round++) {
                bootstrapRounds[round] = httpWrites(http, base, BOOTSTRAP, versions, writers, Duration.ofSeconds(1), half, 0);
                tokenRounds[round] = httpWrites(http, base, apiToken, versions, writers, Duration.ofSeconds(1), half, 0);
            }
            KafkaRoundTrips.Result withBootstrap = pooled("HTTP PUT with If-Match, bootstrap token (alternating rounds)", bootstrapRounds);
            KafkaRoundTrips.Result withApiToken = pooled("HTTP PUT with If-Match, API token (alternating rounds)", tokenRounds);

            EventProjector readModel = system.context().getBean("resourceProjector", EventProjector.class);
            EventProjector audit = system.context().getBean("auditProjector", EventProjector.class);
            KafkaRoundTrips.Result paced = httpWrites(http, base, BOOTSTRAP, versions, writers, Duration.ZERO, Duration.ofSeconds(1), 1000);
            readModel.lag().reset();
            audit.lag().reset();
            paced = httpWrites(http, base, BOOTSTRAP, versions, writers, Duration.ZERO, measure, 1000);
            LatencyRecorder readLag = readModel.lag();
            LatencyRecorder auditLag = audit.lag();

            System.out.printf("%nWrite benchmark: %d writers, %d s measured after %d s warm-up, embedded broker, %d partitions, SQLite, %d cores%n",
                    writers, measure.toSeconds(), warmup.toSeconds(), partitions, Runtime.getRuntime().availableProcessors());
            print(plain);
            print(eos);
            print(eosLikeProcessor);
            print(httpOnly);
            print(gateway);
            print(writes);
            System.out.printf("  ratio HTTP writes / plain request-reply:        %.2f%n", writes.perSecond() / plain.perSecond());
            System.out.printf("  ratio HTTP writes / exactly-once request-reply: %.2f%n", writes.perSecond() / eos.perSecond());
            System.out.printf("  ratio gateway writes / exactly-once with the processor's record count: %.2f%n",
                    gateway.perSecond() / eosLikeProcessor.perSecond());
            print(withBootstrap);
            print(withApiToken);
            System.out.printf("  ratio API token / bootstrap token writes: %.2f (target >= 0.95)%n",
                    withApiToken.perSecond() / withBootstrap.perSecond());
            inProcess.addAll(List.of(plain, eos, eosLikeProcessor, httpOnly, gateway, writes, withBootstrap, withApiToken,
                    new KafkaRoundTrips.Result("HTTP PUT with If-Match paced at 1,000/s", paced.perSecond(), paced.p50Micros(), paced.p99Micros())));
            System.out.printf("Paced at 1,000 writes/s: achieved %.0f/s, write p50 %.1f ms, p99 %.1f ms%n",
                    paced.perSecond(), paced.p50Micros() / 1000.0, paced.p99Micros() / 1000.0);
            System.out.printf("  projection lag (event decided -> visible), read model: p50 %.1f ms, p99 %.1f ms (%d events)%n",
                    readLag.percentile(50) / 1000.0, readLag.percentile(99) / 1000.0, readLag.count());
            System.out.printf("  projection lag (event decided -> visible), audit store: p50 %.1f ms, p99 %.1f ms (%d events)%n",
                    auditLag.percentile(50) / 1000.0, auditLag.percentile(99) / 1000.0, auditLag.count());
        }
        WriteCurve.print(external, WriteCurve.today(), inProcess);
    }

    private static final String BOOTSTRAP = "bench-token";

    /** Throughput summed over the rounds' equal windows; latency percentiles as the mean of the rounds'. */
    private static KafkaRoundTrips.Result pooled(String name, KafkaRoundTrips.Result[] rounds) {
        double perSecond = 0;
        double p50 = 0;
        double p99 = 0;
        for (KafkaRoundTrips.Result round : rounds) {
            perSecond += round.perSecond() / rounds.length;
            p50 += (double) round.p50Micros() / rounds.length;
            p99 += (double) round.p99Micros() / rounds.length;
        }
        return new KafkaRoundTrips.Result(name, perSecond, (long) p50, (long) p99);
    }

    /** An API token whose access policy may update tenants: what least-privilege automation would hold. */
    private static String apiToken(HttpClient http, String base) throws Exception {
        String collections = base.substring(0, base.length() - "tenants/".length());
        HttpResponse<String> policy = http.send(request(collections + "accesspolicies", BOOTSTRAP).POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"bench-writer\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"}],\"scopes\":[\"tenants:write\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> token = http.send(request(collections + "tokens", BOOTSTRAP).POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"bench-writer\",\"access_policy\":\"bench-writer\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (policy.statusCode() != 201 || token.statusCode() != 201) {
            throw new IllegalStateException("could not create the benchmark's API token: " + policy.body() + " " + token.body());
        }
        return Envelopes.MAPPER.readTree(token.body()).path("token").asString();
    }

    private static void print(KafkaRoundTrips.Result r) {
        System.out.printf("  %-62s %8.0f/s   p50 %6.1f ms   p99 %6.1f ms%n", r.name(), r.perSecond(), r.p50Micros() / 1000.0, r.p99Micros() / 1000.0);
    }

    private static long[][] createResources(HttpClient http, String base, int writers) throws Exception {
        long[][] versions = new long[writers][RESOURCES_PER_WRITER];
        String collections = base.substring(0, base.length() - "tenants/".length());
        HttpResponse<String> cluster = http.send(request(collections + "clusters")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"main\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (cluster.statusCode() != 201) {
            throw new IllegalStateException("setup failed: " + cluster.statusCode() + " " + cluster.body());
        }
        for (int w = 0; w < writers; w++) {
            for (int r = 0; r < RESOURCES_PER_WRITER; r++) {
                HttpResponse<String> created = http.send(request(base.substring(0, base.length() - 1))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench-" + w + "-" + r + "\",\"cluster\":\"main\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 201) {
                    throw new IllegalStateException("setup failed: " + created.statusCode() + " " + created.body());
                }
                versions[w][r] = 1;
            }
        }
        return versions;
    }

    /** Each writer PUTs to its own resources with If-Match; {@code ratePerSecond} 0 means as fast as possible. */
    private static KafkaRoundTrips.Result httpWrites(HttpClient http, String base, String token, long[][] versions, int writers,
                                                     Duration warmup, Duration measure, int ratePerSecond) throws Exception {
        LoadWindow window = new LoadWindow();
        LongAdder failed = new LongAdder();
        long intervalNanos = ratePerSecond == 0 ? 0 : 1_000_000_000L * writers / ratePerSecond;
        AtomicInteger nextWriter = new AtomicInteger();
        LoadWindow.Measured measured = window.run(writers, () -> {
            int writer = nextWriter.getAndIncrement();
            long next = System.nanoTime();
            int i = 0;
            while (window.running()) {
                if (intervalNanos > 0) {
                    next += intervalNanos;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                int r = i++ % RESOURCES_PER_WRITER;
                long start = System.nanoTime();
                try {
                    HttpResponse<String> response = http.send(request(base + "bench-" + writer + "-" + r, token)
                            .header("If-Match", "\"" + versions[writer][r] + "\"")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"display_name\":\"w" + i + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        versions[writer][r] = Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
                        window.completed(start);
                    } else {
                        failed.increment();
                    }
                } catch (Exception e) {
                    failed.increment();
                }
            }
        }, warmup, measure);
        if (failed.sum() > 0) {
            System.out.printf("  (%d writes were not accepted)%n", failed.sum());
        }
        return new KafkaRoundTrips.Result("HTTP PUT with If-Match (whole system)", measured.perSecond(),
                measured.p50Micros(), measured.p99Micros());
    }

    /** The HTTP stack alone, client and server in this JVM: GET /health, which touches neither Kafka nor a store. */
    private static KafkaRoundTrips.Result httpHealth(HttpClient http, String url, int clients, Duration warmup,
                                                     Duration measure) throws Exception {
        LoadWindow window = new LoadWindow();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
        LoadWindow.Measured measured = window.run(clients, () -> {
            while (window.running()) {
                long start = System.nanoTime();
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        window.completed(start);
                    }
                } catch (Exception e) {
                    // counted as not completed
                }
            }
        }, warmup, measure);
        return new KafkaRoundTrips.Result("HTTP GET /health (the HTTP stack alone, baseline)", measured.perSecond(),
                measured.p50Micros(), measured.p99Micros());
    }

    /** The same writes straight into the command gateway: no HTTP, so what is left is the log and the processor. */
    private static KafkaRoundTrips.Result gatewayWrites(CommandGateway gateway,
                                                        long[][] versions, int writers, Duration warmup, Duration measure) throws Exception {
        LoadWindow window = new LoadWindow();
        AtomicInteger nextWriter = new AtomicInteger();
        LoadWindow.Measured measured = window.run(writers, () -> {
            int writer = nextWriter.getAndIncrement();
            int i = 0;
            while (window.running()) {
                int r = i++ % RESOURCES_PER_WRITER;
                long start = System.nanoTime();
                CommandEnvelope command = new CommandEnvelope(UUID.randomUUID(), "tenant.update", 1,
                        new ResourceRef("tenant", "bench-" + writer + "-" + r), ExpectedVersion.exactly(versions[writer][r]),
                        "bench", new RequestContext("r", "127.0.0.1", "bench"), Instant.now(), "h" + i,
                        Envelopes.MAPPER.createObjectNode().put("display_name", "g" + i), null);
                try {
                    CommandResult result = gateway.send(command).get(30, TimeUnit.SECONDS);
                    if (result.accepted()) {
                        versions[writer][r] = result.version();
                        window.completed(start);
                    }
                } catch (Exception e) {
                    // counted as not completed
                }
            }
        }, warmup, measure);
        return new KafkaRoundTrips.Result("command gateway -> processor -> result (no HTTP)", measured.perSecond(),
                measured.p50Micros(), measured.p99Micros());
    }

    private static HttpRequest.Builder request(String url) {
        return request(url, BOOTSTRAP);
    }

    private static HttpRequest.Builder request(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    }
}
