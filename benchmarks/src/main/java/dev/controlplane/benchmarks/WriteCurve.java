package dev.controlplane.benchmarks;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The write path measured from outside, as a user sees it: the standalone jar started as its own process with the
 * JVM flags {@code ./dev run} gives it, {@code wrk} (another process) writing with If-Match at 1, 4, 16, 64 and 256 in
 * flight, and the raw exactly-once baselines taken against the same broker in the same run. Prints the curve, the
 * ratios against the targets and the system's peak RSS, and writes them to {@code benchmarks/target/write-bench.json}.
 */
final class WriteCurve {

    private static final int[] LEVELS = {1, 4, 16, 64, 256};
    private static final int RESOURCES_PER_CONNECTION = 4;
    private static final String TOKEN = "bench-token";

    /**
     * @param systemCpuMillisPerWrite CPU the system's process spent (all its threads: HTTP, broker, processor,
     *                                projectors) per accepted write
     * @param machineBusy             share of the machine's cores busy during the level (wrk and this JVM included)
     */
    record Point(int inFlight, double perSecond, double p50Millis, double p99Millis, long accepted, long refused,
                 long socketErrors, double systemCpuMillisPerWrite, double machineBusy) {
    }

    /** @param cpuByThread per level measured (1 and 64 in flight): the system's CPU ms per write, by group of threads */
    record Figures(int partitions, KafkaRoundTrips.Result rawOne, KafkaRoundTrips.Result rawBatched, List<Point> curve,
                   Map<Integer, Map<String, Double>> cpuByThread, long peakRssKiB,
                   long rssAfter64KiB) {
    }

    private WriteCurve() {
    }

    /** @param systemArgs Spring properties for the system under test, e.g. {@code --admin.processor.commit-interval=10ms} */
    static Figures run(Duration measure, String... systemArgs) throws Exception {
        Path dataDir = ScratchDir.create("admin-bench-external-");
        int httpPort = freePort();
        int kafkaPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // ./dev passes the flags it starts the system with, so that the memory measured is the memory it runs in.
        String flags = System.getenv().getOrDefault("BENCH_SYSTEM_JVM_FLAGS", "");
        command.addAll(Arrays.stream(flags.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList());
        command.addAll(List.of("-jar", systemJar().toString(), "--server.port=" + httpPort, "--logging.level.root=WARN"));
        command.addAll(List.of(systemArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("system.log").toFile());
        // Only what the system needs: an inherited ADMIN_KAFKA_BOOTSTRAP_SERVERS would aim it at a real cluster, and a
        // flight recording keeps the environment it was started with.
        minimal(builder.environment());
        builder.environment().put("ADMIN_DATA_DIR", dataDir.toString());
        builder.environment().put("ADMIN_TOKEN", TOKEN);
        builder.environment().put("ADMIN_KAFKA_PORT", String.valueOf(kafkaPort));
        Process system = builder.start();
        Thread stopSystem = new Thread(system::destroy);
        Runtime.getRuntime().addShutdownHook(stopSystem);
        try {
            String base = "http://127.0.0.1:" + httpPort;
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            awaitHealthy(http, base, system, dataDir.resolve("system.log"));
            send(http, base + "/api/v1/clusters", "{\"name\":\"main\"}");
            Path script = script();

            String kafka = "127.0.0.1:" + kafkaPort;
            Duration warmup = Duration.ofSeconds(3);
            int partitions = partitions(kafka);
            KafkaRoundTrips.Result rawOne = KafkaRoundTrips.run(kafka, partitions, true, 0, 1, warmup, measure);
            KafkaRoundTrips.Result rawBatched = KafkaRoundTrips.run(kafka, partitions, true, 2, 64, warmup, measure);

            // The system's JIT and caches warm before the curve, on resources of their own, loaded and alone (the
            // compiler otherwise spends more CPU in the first level than the writes do).
            createTenants(http, base, "warm", 64);
            wrk(script, base, "warm", 64, Duration.ofSeconds(10));
            createTenants(http, base, "warm-alone", 1);
            wrk(script, base, "warm-alone", 1, Duration.ofSeconds(5));
            List<Point> curve = new ArrayList<>();
            Map<Integer, Map<String, Double>> byThread = new java.util.TreeMap<>();
            long rssAfter64 = 0;
            for (int level : LEVELS) {
                String prefix = "c" + level;
                createTenants(http, base, prefix, level);
                if (level == 64 && System.getenv("BENCH_JFR") != null) {
                    record(system.pid(), measure, System.getenv("BENCH_JFR"));
                }
                long cpuBefore = ProcCpu.processTicks(system.pid());
                long[] machineBefore = ProcCpu.machineTicks();
                Map<String, Long> threadsBefore = ProcCpu.threadTicks(system.pid());
                Point p = wrk(script, base, prefix, level, measure);
                long cpu = ProcCpu.processTicks(system.pid()) - cpuBefore;
                if (level == 1 || level == 64) {
                    byThread.put(level, ProcCpu.perUnit(threadsBefore, ProcCpu.threadTicks(system.pid()), p.accepted()));
                }
                long[] machineAfter = ProcCpu.machineTicks();
                double busy = 1 - (double) (machineAfter[1] - machineBefore[1]) / (machineAfter[0] - machineBefore[0]);
                curve.add(new Point(p.inFlight(), p.perSecond(), p.p50Millis(), p.p99Millis(), p.accepted(), p.refused(),
                        p.socketErrors(), p.accepted() == 0 ? 0 : cpu * 1000.0 / ProcCpu.TICKS_PER_SECOND / p.accepted(), busy));
                if (level == 64) {
                    rssAfter64 = status(system.pid(), "VmHWM");
                }
            }
            return new Figures(partitions, rawOne, rawBatched, curve, byThread, status(system.pid(), "VmHWM"), rssAfter64);
        } finally {
            system.destroy();
            if (!system.waitFor(30, TimeUnit.SECONDS)) {
                system.destroyForcibly();
            }
            Runtime.getRuntime().removeShutdownHook(stopSystem);
            ScratchDir.delete(dataDir);
        }
    }

    private static void minimal(Map<String, String> environment) {
        Map<String, String> kept = new java.util.HashMap<>();
        for (String name : List.of("PATH", "HOME", "LANG", "TMPDIR")) {
            if (environment.containsKey(name)) {
                kept.put(name, environment.get(name));
            }
        }
        environment.clear();
        environment.putAll(kept);
    }

    /** @param inProcess the same run's figures measured inside one JVM, kept in the JSON beside the external ones */
    static void print(Figures f, String date, List<KafkaRoundTrips.Result> inProcess) throws IOException {
        System.out.printf("%nWrites from outside: the standalone jar in its own process, wrk in another, If-Match, %d resources per connection, %d partitions%n",
                RESOURCES_PER_CONNECTION, f.partitions());
        System.out.printf("  %-62s %8.0f/s   p50 %6.1f ms   p99 %6.1f ms%n", f.rawOne().name() + ", 1 in flight",
                f.rawOne().perSecond(), f.rawOne().p50Micros() / 1000.0, f.rawOne().p99Micros() / 1000.0);
        System.out.printf("  %-62s %8.0f/s   p50 %6.1f ms   p99 %6.1f ms%n", f.rawBatched().name() + ", 64 in flight",
                f.rawBatched().perSecond(), f.rawBatched().p50Micros() / 1000.0, f.rawBatched().p99Micros() / 1000.0);
        System.out.printf("  %-10s %10s %10s %10s %10s %8s %14s %13s%n", "in flight", "writes/s", "p50 ms", "p99 ms", "accepted",
                "refused", "CPU ms/write", "machine busy");
        for (Point p : f.curve()) {
            System.out.printf("  %-10d %10.0f %10.1f %10.1f %10d %8d %14.2f %12.0f%%%n", p.inFlight(), p.perSecond(), p.p50Millis(),
                    p.p99Millis(), p.accepted(), p.refused() + p.socketErrors(), p.systemCpuMillisPerWrite(), p.machineBusy() * 100);
        }
        Point one = point(f, 1);
        Point sixtyFour = point(f, 64);
        double rawOneP50 = f.rawOne().p50Micros() / 1000.0;
        double rawOneP99 = f.rawOne().p99Micros() / 1000.0;
        System.out.printf("  1 in flight:  p50 %.1f ms = %.1fx raw (target <= 2.5x, <= 3 ms), p99 %.1f ms = %.1fx raw (target <= 10 ms)%n",
                one.p50Millis(), one.p50Millis() / rawOneP50, one.p99Millis(), one.p99Millis() / rawOneP99);
        System.out.printf("  64 in flight: %.0f writes/s = %.2fx raw exactly-once with the processor's record count (target >= 0.85), p99 %.1f ms (target <= 50)%n",
                sixtyFour.perSecond(), sixtyFour.perSecond() / f.rawBatched().perSecond(), sixtyFour.p99Millis());
        for (Map.Entry<Integer, Map<String, Double>> level : f.cpuByThread().entrySet()) {
            StringBuilder line = new StringBuilder();
            level.getValue().entrySet().stream().limit(12).forEach(e -> line.append(String.format(" %s %.2f,", e.getKey(), e.getValue())));
            System.out.printf("  CPU ms per write by thread, %d in flight:%s%n", level.getKey(), line.substring(0, line.length() - 1));
        }
        System.out.printf("  peak RSS of the system: %d MiB after the 64-in-flight level, %d MiB after all levels (target <= 1024)%n",
                f.rssAfter64KiB() / 1024, f.peakRssKiB() / 1024);

        ObjectNode json = Envelopes.MAPPER.createObjectNode();
        json.put("date", date);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("partitions", f.partitions());
        json.set("raw_exactly_once_1_in_flight", result(f.rawOne()));
        json.set("raw_exactly_once_plus_2_topics_64_in_flight", result(f.rawBatched()));
        ArrayNode points = json.putArray("curve");
        for (Point p : f.curve()) {
            points.add(Envelopes.MAPPER.valueToTree(p));
        }
        json.put("ratio_p50_1_in_flight_to_raw", one.p50Millis() / rawOneP50);
        json.put("ratio_writes_64_in_flight_to_raw", sixtyFour.perSecond() / f.rawBatched().perSecond());
        json.put("peak_rss_mib_after_64", f.rssAfter64KiB() / 1024);
        json.put("peak_rss_mib", f.peakRssKiB() / 1024);
        ObjectNode threads = json.putObject("cpu_ms_per_write_by_thread");
        f.cpuByThread().forEach((level, groups) -> {
            ObjectNode at = threads.putObject(String.valueOf(level));
            groups.forEach(at::put);
        });
        ArrayNode inJvm = json.putArray("in_process");
        for (KafkaRoundTrips.Result r : inProcess) {
            inJvm.add(result(r).put("name", r.name()));
        }
        Path out = Path.of("benchmarks", "target", "write-bench.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, Envelopes.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("  written to " + out);
    }

    static String today() {
        return LocalDate.ofInstant(Instant.now(), java.time.ZoneOffset.UTC).toString();
    }

    /** The baselines' topics get as many partitions as the system's command topic has. */
    private static int partitions(String kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            return admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.COMMANDS).partitions().size();
        }
    }

    private static Point point(Figures f, int inFlight) {
        return f.curve().stream().filter(p -> p.inFlight() == inFlight).findFirst().orElseThrow();
    }

    private static ObjectNode result(KafkaRoundTrips.Result r) {
        return Envelopes.MAPPER.createObjectNode().put("per_second", r.perSecond())
                .put("p50_ms", r.p50Micros() / 1000.0).put("p99_ms", r.p99Micros() / 1000.0);
    }

    /** wrk with one connection per thread, each writing its own resources (put-if-match.lua). */
    private static Point wrk(Path script, String base, String prefix, int connections, Duration measure)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("wrk", "-t" + connections, "-c" + connections,
                "-d" + measure.toSeconds() + "s", "--timeout", "30s", "-s", script.toString(), base).redirectErrorStream(true);
        minimal(builder.environment());
        builder.environment().put("BENCH_TOKEN", TOKEN);
        builder.environment().put("BENCH_PREFIX", prefix);
        builder.environment().put("BENCH_RESOURCES", String.valueOf(RESOURCES_PER_CONNECTION));
        Process wrk;
        try {
            wrk = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is not installed (install it: apt-get install wrk)", e);
        }
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int line = out.indexOf("RESULT ");
        if (wrk.waitFor() != 0 || line < 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        JsonNode r = Envelopes.MAPPER.readTree(out.substring(line + "RESULT ".length()).lines().findFirst().orElseThrow());
        long accepted = r.path("accepted").asLong();
        return new Point(connections, accepted / r.path("seconds").asDouble(), r.path("p50_us").asLong() / 1000.0,
                r.path("p99_us").asLong() / 1000.0, accepted, r.path("refused").asLong(), r.path("socket_errors").asLong(), 0, 0);
    }

    /** {@code <prefix>-<connection>-<r>} for every connection, created concurrently: all start at version 1. */
    private static void createTenants(HttpClient http, String base, String prefix, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                for (int r = 0; r < RESOURCES_PER_CONNECTION; r++) {
                    String name = prefix + "-" + c + "-" + r;
                    created.add(pool.submit(() -> send(http, base + "/api/v1/tenants",
                            "{\"name\":\"" + name + "\",\"cluster\":\"main\"}")));
                }
            }
            for (Future<?> f : created) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
    }

    private static Void send(HttpClient http, String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("setup failed: " + url + " " + response.statusCode() + " " + response.body());
        }
        return null;
    }

    private static void awaitHealthy(HttpClient http, String base, Process system, Path log) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!system.isAlive()) {
                throw new IllegalStateException("the system exited while starting:\n" + Files.readString(log));
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep waiting
            }
            system.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the system did not become healthy within 3 minutes:\n" + Files.readString(log));
    }

    /**
     * {@code BENCH_JFR=/tmp/writes.jfr ./dev bench curve}: a flight recording of the system during the 64-in-flight
     * level, for the README's breakdown ({@code jfr view thread-cpu-load}, {@code jfr view hot-methods}).
     */
    private static void record(long pid, Duration measure, String file) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid),
                "JFR.start", "settings=profile", "duration=" + measure.toSeconds() + "s", "filename=" + file)
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd JFR.start failed:\n" + out);
        }
    }

    /** A field of /proc/&lt;pid&gt;/status in KiB: VmHWM is the peak resident set since the process started. */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }

    private static Path systemJar() {
        Path jar = Path.of("standalone", "target", "standalone-0.1.0-SNAPSHOT-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": run ./dev bench from the repository, which builds it");
        }
        return jar;
    }

    private static Path script() throws IOException {
        Path script = Files.createTempFile("put-if-match-", ".lua");
        try (InputStream in = WriteCurve.class.getResourceAsStream("/put-if-match.lua")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        return script;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
