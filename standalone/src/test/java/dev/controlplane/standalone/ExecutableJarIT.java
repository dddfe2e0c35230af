package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The jar that {@code ./dev run} starts works on its own classpath (not the tests'): it starts the broker and every
 * service, answers, and stops cleanly on SIGTERM (what Ctrl-C sends the JVM too).
 */
class ExecutableJarIT {

    @Test
    void theExecutableJar_startsServesAndStopsCleanly() throws Exception {
        Path jar = Path.of("target/standalone-0.1.0-SNAPSHOT-exec.jar");
        assertThat(jar).exists();
        Path dataDir = TestSystem.newDataDir();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=allow", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("out.log").toFile());
        builder.environment().put("ADMIN_DATA_DIR", dataDir.toString());
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().remove("ADMIN_TOKEN");
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + port + "/health");
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            String token = Files.readString(dataDir.resolve("admin-token")).strip();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/clusters"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"from-the-jar\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute of SIGTERM").isTrue();
        }
        assertThat(log(dataDir)).doesNotContain("NoClassDefFoundError").doesNotContain("ClassNotFoundException");
    }

    private static String log(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve("out.log"));
    }
}
