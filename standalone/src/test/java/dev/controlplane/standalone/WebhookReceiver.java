package dev.controlplane.standalone;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP receiver for webhook tests. Each path has a script (fail so many times with a status, then answer
 * 200) and the secrets it trusts; every request is kept with whether the official Standard Webhooks library
 * verified it, and with which of the secrets.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(String path, Instant at, Map<String, List<String>> headers, String body, List<String> verifiedWith) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** How a path answers: {@code failures} times {@code failStatus} (with Retry-After if given), then 200. */
    static final class Script {
        volatile int failures;
        volatile int failStatus = 500;
        volatile String retryAfter;
        /** The next this many requests hang (up to 10 s) before answering, as a stuck receiver would. */
        volatile int hangs;
        final List<String> secrets = new CopyOnWriteArrayList<>();
    }

    private final HttpServer server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Script script(String path) {
        return scripts.computeIfAbsent(path, p -> new Script());
    }

    List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
        Script script = script(path);
        List<String> verifiedWith = new ArrayList<>();
        for (String secret : script.secrets) {
            try {
                new Webhook(secret).verify(body, headers);
                verifiedWith.add(secret);
            } catch (Exception e) {
                // not signed with this one
            }
        }
        received.add(new Received(path, Instant.now(), headers, body, verifiedWith));
        boolean hang;
        synchronized (script) {
            hang = script.hangs > 0;
            if (hang) {
                script.hangs--;
            }
        }
        if (hang) {
            try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status = 200;
        synchronized (script) {
            if (script.failures > 0) {
                script.failures--;
                status = script.failStatus;
                if (script.retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", script.retryAfter);
                }
                if (status / 100 == 3) {
                    exchange.getResponseHeaders().add("Location", path + "/elsewhere");
                }
            }
        }
        byte[] answer = ("{\"received\":" + (status == 200) + "}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    /** Subscriptions on the shared system that deliver here: deactivated before the receiver closes. */
    private final List<String> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

    void subscribed(String webhook) {
        subscriptions.add(webhook);
    }

    /** Deactivates every subscription that delivers here, so later test classes see no background failures; then closes. */
    void deactivateSubscriptionsAndClose(Api admin) {
        for (String name : subscriptions) {
            int status = admin.put("/api/v1/webhooks/" + name, "{\"status\":\"inactive\"}", "If-Match", "*").status();
            org.assertj.core.api.Assertions.assertThat(status).as("deactivating webhook " + name).isEqualTo(200);
        }
        close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
