package dev.controlplane.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The executable jar that {@code ./dev run} starts, as a process of its own: started, stopped, or killed. */
final class JarProcess implements AutoCloseable {

    static final Path JAR = Path.of("target/standalone-0.1.0-SNAPSHOT-exec.jar");

    private final Process process;
    private final int port;
    private final Path dataDir;

    private JarProcess(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Starts the jar on {@code dataDir} and waits until it answers. */
    static JarProcess start(Path dataDir) throws IOException {
        return start(dataDir, java.util.Map.of());
    }

    /** The same with more environment variables. */
    static JarProcess start(Path dataDir, java.util.Map<String, String> environment) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // Started as ./dev run starts it: with umask 077, so everything under the data directory is its owner's only.
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"", java));
        if (Runtime.version().feature() >= 23) {
            // Only JDK 23+ knows this flag (and warns without it); a JDK 21 refuses to start with it.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("out.log").toFile()));
        builder.environment().put("ADMIN_DATA_DIR", dataDir.toString());
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().remove("ADMIN_TOKEN");
        builder.environment().putAll(environment);
        JarProcess jar = new JarProcess(builder.start(), port, dataDir);
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create(jar.base() + "/health");
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        return jar;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    Api api() {
        try {
            String token = Files.readString(dataDir.resolve("admin-token")).strip();
            return new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), base(), token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log() throws IOException {
        return Files.readString(dataDir.resolve("out.log"));
    }

    /** SIGKILL: no shutdown hook, no flush, as a power cut or the OOM killer would end it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C: true when it stopped within a minute. */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
