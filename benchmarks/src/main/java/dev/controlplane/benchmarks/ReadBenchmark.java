package dev.controlplane.benchmarks;

import dev.controlplane.standalone.Standalone;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./dev bench reads [connections=32] [seconds=10]}: what consistent reads cost. {@code wrk}, a separate process,
 * reads one resource over HTTP in alternating rounds with {@code consistency=strong} (the default) and
 * {@code consistency=eventual}, while one writer keeps the log moving (so a consistent read has something to wait
 * for). Prints throughput and p50/p99 of both and their ratio.
 */
final class ReadBenchmark {

    private record Round(double requestsPerSecond, double p50Ms, double p99Ms) {
    }

    private ReadBenchmark() {
    }

    static void run(int connections, int seconds) throws Exception {
        Path dataDir = ScratchDir.create("admin-bench-reads-");
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_DATA_DIR", dataDir.toString());
        env.put("ADMIN_TOKEN", "bench-token");
        try (Standalone system = Standalone.start(env, "--server.port=0", "--logging.level.root=WARN")) {
            String base = "http://127.0.0.1:" + system.port();
            HttpClient http = HttpClient.newHttpClient();
            send(http, "POST", base + "/api/v1/clusters", "{\"name\":\"main\",\"kind\":\"metrics\"}", null);
            send(http, "POST", base + "/api/v1/tenants", "{\"name\":\"read-me\",\"cluster\":\"main\"}", null);
            send(http, "POST", base + "/api/v1/tenants", "{\"name\":\"written\",\"cluster\":\"main\"}", null);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = Thread.ofPlatform().name("bench-writer").start(() -> {
                while (writing.get()) {
                    try {
                        send(http, "PUT", base + "/api/v1/tenants/written", "{\"display_name\":\"w" + writes.incrementAndGet() + "\"}", "*");
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            String url = base + "/api/v1/tenants/read-me";
            wrk(url + "?consistency=eventual", connections, 3); // warm-up
            Round[] strong = new Round[2];
            Round[] eventual = new Round[2];
            for (int i = 0; i < 2; i++) {
                strong[i] = wrk(url, connections, seconds / 2);
                eventual[i] = wrk(url + "?consistency=eventual", connections, seconds / 2);
            }
            writing.set(false);
            writer.join();
            Round s = mean(strong);
            Round e = mean(eventual);
            System.out.printf("GET one tenant over HTTP, wrk -c%d, %d s each, alternating rounds, one writer alongside (%d writes)%n",
                    connections, seconds, writes.get());
            System.out.printf("  consistency=strong (default): %,.0f/s  p50 %.2f ms  p99 %.2f ms%n", s.requestsPerSecond(), s.p50Ms(), s.p99Ms());
            System.out.printf("  consistency=eventual:         %,.0f/s  p50 %.2f ms  p99 %.2f ms%n", e.requestsPerSecond(), e.p50Ms(), e.p99Ms());
            System.out.printf("  ratio strong / eventual throughput: %.2f%n", s.requestsPerSecond() / e.requestsPerSecond());
        }
    }

    private static Round mean(Round[] rounds) {
        return new Round((rounds[0].requestsPerSecond() + rounds[1].requestsPerSecond()) / 2, (rounds[0].p50Ms() + rounds[1].p50Ms()) / 2,
                (rounds[0].p99Ms() + rounds[1].p99Ms()) / 2);
    }

    private static void send(HttpClient http, String method, String url, String body, String ifMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer bench-token")
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static Round wrk(String url, int connections, int seconds) throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Authorization: Bearer bench-token", url).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0 || !out.contains("Requests/sec")) {
            throw new IllegalStateException("wrk failed (install it: apt-get install wrk):\n" + out);
        }
        if (out.contains("Non-2xx")) {
            throw new IllegalStateException("reads were refused:\n" + out);
        }
        return new Round(number(out, "Requests/sec:\\s+([0-9.]+)"), latency(out, "50%"), latency(out, "99%"));
    }

    private static double number(String out, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** A wrk latency percentile, in ms. */
    private static double latency(String out, String percentile) {
        Matcher m = Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + percentile + " latency in:\n" + out);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
