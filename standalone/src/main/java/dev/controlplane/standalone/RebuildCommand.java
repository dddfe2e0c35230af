package dev.controlplane.standalone;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Stores;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code java -jar standalone.jar rebuild read-model|audit|webhooks} ({@code ./dev rebuild …}): asks the running system to
 * rebuild a store ({@code POST /api/v1/rebuilds/{store}}) and prints its progress each second until it switched over
 * or failed. The system is at {@code ADMIN_URL} (default {@code http://localhost:$SERVER_PORT}, port 8080); the token
 * is {@code ADMIN_TOKEN}, else the one the system keeps in {@code $ADMIN_DATA_DIR/admin-token}.
 */
final class RebuildCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RebuildCommand() {
    }

    /** 0 when the rebuild switched over, 1 when it failed, 2 when it could not be asked for. */
    static int run(Map<String, String> env, String store, PrintStream out) throws InterruptedException {
        if (!Stores.REBUILDABLE.contains(store)) {
            out.println("no such store: " + store + " (" + String.join(", ", Stores.REBUILDABLE) + ")");
            return 2;
        }
        try {
            return follow(env, store, out);
        } catch (IOException | RuntimeException e) {
            // Not reached, refused, or answered with something that is not the API's JSON.
            out.println(store + ": cannot ask the system: " + e);
            return 2;
        }
    }

    private static int follow(Map<String, String> env, String store, PrintStream out) throws IOException, InterruptedException {
        String base = env.getOrDefault("ADMIN_URL", "http://localhost:" + env.getOrDefault("SERVER_PORT", "8080"));
        String token = env.get("ADMIN_TOKEN");
        if (token == null || token.isBlank()) {
            Path file = Path.of(env.getOrDefault("ADMIN_DATA_DIR", "./data")).resolve("admin-token");
            if (!Files.exists(file)) {
                out.println("no token: set ADMIN_TOKEN, or ADMIN_DATA_DIR to the system's data directory (" + file + " is missing)");
                return 2;
            }
            token = Files.readString(file).strip();
        }
        URI uri = URI.create(base + "/api/v1/rebuilds/" + store);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202 && started.statusCode() != 409) {
            out.println(store + ": " + started.statusCode() + " " + detail(started.body()));
            return 2;
        }
        if (started.statusCode() == 409) {
            out.println(store + ": a rebuild is running already; following it");
        }
        while (true) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                out.println(store + ": " + answer.statusCode() + " " + detail(answer.body()));
                return 2;
            }
            JsonNode progress = Envelopes.MAPPER.readTree(answer.body());
            out.println(line(progress));
            switch (progress.path("state").asString()) {
                case "done" -> {
                    return 0;
                }
                case "failed" -> {
                    return 1;
                }
                default -> Thread.sleep(1000); // a progress line per second, for a person watching
            }
        }
    }

    static String line(JsonNode progress) {
        StringBuilder line = new StringBuilder(progress.path("store").asString()).append(": ")
                .append(progress.path("state").asString()).append(", ")
                .append(progress.path("records").asLong()).append(" of ").append(progress.path("total").asLong())
                .append(" records, ").append(Math.round(progress.path("records_per_second").asDouble())).append("/s");
        if (progress.path("seconds_left").isNumber()) {
            line.append(", ~").append(progress.path("seconds_left").asLong()).append(" s left");
        }
        if (progress.path("switch_tries").asInt() > 1) {
            line.append(", ").append(progress.path("switch_tries").asInt()).append(" tries to switch");
        }
        if (progress.path("dead_letters").asLong() > 0) {
            line.append(", ").append(progress.path("dead_letters").asLong()).append(" dead letters");
        }
        if (progress.path("error").isString()) {
            line.append(": ").append(progress.path("error").asString());
        }
        return line.toString();
    }

    private static String detail(String body) {
        try {
            return Envelopes.MAPPER.readTree(body).path("detail").asString(body);
        } catch (RuntimeException e) {
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }
}
