package dev.controlplane.standalone;

import dev.controlplane.schemas.Envelopes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Concurrent clients that create tenants, update them with {@code If-Match} (exact, stale and {@code *}), patch
 * them, retry with {@code Idempotency-Key}, and read them back, each recording every operation in a {@link History}.
 * Writes go to any command service, reads to any query service, as a load balancer would send them.
 */
final class LoadClients implements AutoCloseable {

    private final History history;
    private final Supplier<List<String>> writers;
    private final Supplier<List<String>> readers;
    private final String token;
    private final String prefix;
    private final int clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A few tenants every client writes: where concurrent If-Match writes meet. */
    private final List<String> shared = new ArrayList<>();

    /**
     * @param writers the base URLs of the command services as they are now (one may be down)
     * @param readers the base URLs of the query services
     */
    LoadClients(History history, Supplier<List<String>> writers, Supplier<List<String>> readers, String token, String prefix,
                int clients) {
        this.history = history;
        this.writers = writers;
        this.readers = readers;
        this.token = token;
        this.prefix = prefix;
        this.clients = clients;
        this.pool = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < 3; i++) {
            shared.add(prefix + "-shared-" + i);
        }
    }

    /** Creates the shared tenants, then starts the clients. */
    LoadClients start() {
        for (String name : shared) {
            create(-1, new Random(), name, null);
        }
        for (int c = 0; c < clients; c++) {
            int client = c;
            pool.submit(() -> run(client));
        }
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** What one client believes of a resource: the version it last saw acknowledged or read. */
    private void run(int client) {
        Random random = new Random(client * 7919L);
        Map<String, Long> known = new HashMap<>();
        List<String> own = new ArrayList<>();
        while (running.get()) {
            try {
                int dice = random.nextInt(100);
                if (own.isEmpty() || dice < 15) {
                    String name = prefix + "-c" + client + "-" + own.size();
                    String key = random.nextBoolean() ? "create-" + name : null;
                    History.Operation created = create(client, random, name, key);
                    own.add(name);
                    remember(known, name, created);
                    if (key != null && random.nextInt(3) == 0) {
                        retry(client, created, random);
                    }
                    continue;
                }
                String name = random.nextInt(4) == 0 ? shared.get(random.nextInt(shared.size())) : own.get(random.nextInt(own.size()));
                long version = known.getOrDefault(name, 1L);
                History.Operation done;
                if (dice < 40) {
                    done = write(client, History.Kind.PUT_EXACT, name, version, null, "PUT",
                            "{\"display_name\":\"c" + client + " " + UUID.randomUUID() + "\"}", random);
                } else if (dice < 50) {
                    done = write(client, History.Kind.PUT_ANY, name, null, null, "PUT",
                            "{\"display_name\":\"any " + UUID.randomUUID() + "\"}", random);
                } else if (dice < 60) {
                    done = write(client, History.Kind.PATCH_EXACT, name, version, null, "PATCH",
                            "{\"display_name\":\"patched " + UUID.randomUUID() + "\"}", random);
                } else if (dice < 72) {
                    String key = "update-" + client + "-" + UUID.randomUUID();
                    done = write(client, History.Kind.PUT_EXACT, name, version, key, "PUT",
                            "{\"display_name\":\"keyed " + key + "\"}", random);
                    retry(client, done, random);
                } else {
                    done = read(client, name);
                }
                remember(known, name, done);
            } catch (RuntimeException e) {
                // A client never stops on an error: the history has the operation as unknown.
            }
        }
    }

    private static void remember(Map<String, Long> known, String name, History.Operation done) {
        Long seen = done.version() != null ? done.version() : done.currentVersion();
        if (seen != null) {
            known.merge(name, seen, Math::max);
        }
    }

    private History.Operation create(int client, Random random, String name, String key) {
        return send(client, History.Kind.CREATE, name, null, key, "POST", "/api/v1/tenants",
                "{\"name\":\"" + name + "\",\"cluster\":\"main\"}", pick(writers.get(), random));
    }

    private History.Operation write(int client, History.Kind kind, String name, Long expected, String key, String method,
                                    String body, Random random) {
        return send(client, kind, name, expected, key, method, "/api/v1/tenants/" + name, body, pick(writers.get(), random));
    }

    /** Sends the same request again with the same key (as a client whose answer got lost would), to any instance. */
    private void retry(int client, History.Operation first, Random random) {
        Last last = lastRequests.get();
        if (last == null || first.key() == null) {
            return;
        }
        send(client, History.Kind.RETRY, first.resource(), first.expected(), first.key(), last.method(), last.path(), last.body(),
                pick(writers.get(), random));
    }

    private record Last(String method, String path, String body) {
    }

    private final ThreadLocal<Last> lastRequests = new ThreadLocal<>();

    private History.Operation read(int client, String name) {
        List<String> targets = readers.get();
        String target = targets.get(Math.floorMod(name.hashCode() + (int) System.nanoTime(), targets.size()));
        return send(client, History.Kind.READ, name, null, null, "GET", "/api/v1/tenants/" + name, null, target);
    }

    private static String pick(List<String> targets, Random random) {
        return targets.get(random.nextInt(targets.size()));
    }

    private History.Operation send(int client, History.Kind kind, String resource, Long expected, String key, String method,
                                   String path, String body, String target) {
        if (kind != History.Kind.READ && kind != History.Kind.RETRY) {
            lastRequests.set(new Last(method, path, body));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        if (kind == History.Kind.PUT_ANY) {
            request.header("If-Match", "*");
        } else if (expected != null) {
            request.header("If-Match", "\"" + expected + "\"");
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        Instant invoked = Instant.now();
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            // Never reached the service: nothing can have changed.
            return record(client, kind, resource, expected, key, target, invoked, History.Completion.FAIL, 0, null, null, null, null);
        } catch (Exception e) {
            return record(client, kind, resource, expected, key, target, invoked, History.Completion.UNKNOWN, 0, null, null, null, null);
        }
        int status = response.statusCode();
        String etag = response.headers().firstValue("ETag").orElse(null);
        Long version = etag == null ? null : Long.parseLong(etag.replace("\"", ""));
        String commandId = response.headers().firstValue("X-Command-Id").orElse(null);
        Long current = null;
        History.Completion completion;
        if (status == 200 || status == 201) {
            completion = History.Completion.OK;
        } else if (status == 202) {
            completion = History.Completion.UNKNOWN;
            commandId = json(response.body()).path("id").asString(null);
        } else if (status == 503 || status >= 500 || status == 0) {
            completion = response.body().contains("nothing was changed") ? History.Completion.FAIL : History.Completion.UNKNOWN;
        } else {
            completion = History.Completion.FAIL;
            if (status == 412) {
                current = json(response.body()).path("current_version").asLong();
            }
        }
        return record(client, kind, resource, expected, key, target, invoked, completion, status, version, commandId, current,
                response.body());
    }

    private static JsonNode json(String body) {
        try {
            return Envelopes.MAPPER.readTree(body);
        } catch (RuntimeException e) {
            return Envelopes.MAPPER.createObjectNode();
        }
    }

    private History.Operation record(int client, History.Kind kind, String resource, Long expected, String key, String target,
                                     Instant invoked, History.Completion completion, int status, Long version, String commandId,
                                     Long current, String body) {
        History.Operation operation = new History.Operation(client, kind, resource, expected, key, target, invoked, Instant.now(),
                completion, status, version, commandId, current, body);
        history.add(operation);
        return operation;
    }
}
