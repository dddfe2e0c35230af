package dev.controlplane.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A webhook receiver for load runs: records every delivery's {@code webhook-id} by path, notices two attempts of one
 * delivery in flight at once (which one dispatcher at a time never makes), and can fail for a while on request.
 */
final class DeliveryLog implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Set<String>> delivered = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private volatile boolean failing;
    private volatile boolean slow;

    DeliveryLog() {
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

    /** While failing, every delivery is answered 500: the dispatchers keep them pending for their retries. */
    void failing(boolean failing) {
        this.failing = failing;
    }

    /** While slow, every answer takes 1.5 s (within the attempt timeout): deliveries stay in flight, leased, meanwhile. */
    void slow(boolean slow) {
        this.slow = slow;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String id = exchange.getRequestHeaders().getFirst("webhook-id");
        exchange.getRequestBody().readAllBytes();
        String attempt = path + " " + id;
        if (!inFlight.add(attempt)) {
            overlaps.add(attempt);
        }
        try {
            // A receiver takes its time; an answer held a little lets two overlapping attempts meet here.
            Thread.sleep(slow ? 1_500 : java.util.concurrent.ThreadLocalRandom.current().nextInt(50));
            if (failing) {
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            delivered.computeIfAbsent(path, p -> ConcurrentHashMap.newKeySet()).add(id);
            exchange.sendResponseHeaders(200, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.remove(attempt);
            exchange.close();
        }
    }

    Set<String> delivered(String path) {
        return delivered.getOrDefault(path, Set.of());
    }

    /** Deliveries that arrived while another attempt of the same one was still being answered. */
    List<String> overlaps() {
        return List.copyOf(overlaps);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
