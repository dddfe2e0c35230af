package dev.controlplane.standalone;

import dev.controlplane.schemas.Envelopes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import tools.jackson.databind.JsonNode;

/**
 * A thin HTTP client for the admin API, as a test's caller sees it. Every exchange is held to the OpenAPI document
 * ({@link Contract}): a body the document does not describe fails the test that exchanged it.
 */
record Api(HttpClient http, String base, String token) {

    /** Every answer any test got in this JVM, so the contract test can check each status is documented. */
    record Exchange(String method, String path, int status) {
    }

    static final Queue<Exchange> EXCHANGES = new ConcurrentLinkedQueue<>();

    static Api of(Standalone system) {
        return new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                "http://127.0.0.1:" + system.port(), system.token());
    }

    /** The same caller, talking to another service on this machine. */
    Api onPort(int port) {
        return new Api(http, "http://127.0.0.1:" + port, token);
    }

    Api withToken(String other) {
        return new Api(http, base, other);
    }

    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            return Envelopes.MAPPER.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }

    Response put(String path, String body, String... headers) {
        return send("PUT", path, body, headers);
    }

    Response patch(String path, String body, String... headers) {
        return send("PATCH", path, body, headers);
    }

    Response send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !typed) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String exchanged = URI.create(base + path).getPath();
            EXCHANGES.add(new Exchange(method, exchanged, response.statusCode()));
            HttpRequest sent = response.request();
            List<String> violations = Contract.violations(method, exchanged, sent.headers().firstValue("Content-Type").orElse(null), body,
                    response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body());
            if (!violations.isEmpty()) {
                throw new AssertionError(method + " " + path + " answered " + response.statusCode()
                        + ", which the OpenAPI document does not describe:\n  " + String.join("\n  ", violations));
            }
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
