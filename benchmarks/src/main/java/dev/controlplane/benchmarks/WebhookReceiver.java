package dev.controlplane.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The webhook benchmark's receiver, in a process of its own as a subscriber's would be: answers every POST with 204
 * and counts it; {@code GET /count} says how many it has taken. It exits when its parent closes its standard input.
 */
final class WebhookReceiver implements AutoCloseable {

    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebhookReceiver(Process process, int port) {
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
    }

    /** {@code ./dev bench receiver}, as the child process runs it. */
    static void serve() throws IOException {
        LongAdder received = new LongAdder();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("GET")) {
                byte[] count = String.valueOf(received.sum()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, count.length);
                exchange.getResponseBody().write(count);
            } else {
                received.increment();
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println("PORT " + server.getAddress().getPort());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        server.stop(0);
    }

    /** Starts the receiver from the jar this benchmark runs from. */
    static WebhookReceiver start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", System.getProperty("java.class.path"), "receiver")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        // The JVM may print first (JDK_JAVA_OPTIONS with a flight recording, say): the port is the line that says so.
        while (line != null && !line.startsWith("PORT ")) {
            line = out.readLine();
        }
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the webhook receiver did not start: " + line);
        }
        return new WebhookReceiver(process, Integer.parseInt(line.substring("PORT ".length())));
    }

    long pid() {
        return process.pid();
    }

    String url() {
        return base + "/hook";
    }

    long received() throws IOException, InterruptedException {
        HttpResponse<String> count = http.send(HttpRequest.newBuilder(URI.create(base + "/count")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(count.body().trim());
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        process.destroy();
    }
}
