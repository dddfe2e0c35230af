package dev.controlplane.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes attempt outcomes in groups: whatever has finished while the previous group was being committed goes in
 * the next transaction. One fsync then covers many deliveries instead of one. A success need not be waited for: until
 * it is written its delivery stays {@code sending}, which no one claims, and a crash before the write means one more
 * attempt after the restart (at least once). A failure is waited for, because what follows reads it.
 */
final class OutcomeWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);

    private record Pending(DeliveryQueue.Outcome outcome, CompletableFuture<Void> written) {
    }

    private final DeliveryQueue store;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    OutcomeWriter(DeliveryQueue store) {
        this.store = store;
        this.thread = Thread.ofPlatform().name("webhook-outcomes").start(this::run);
    }

    /** Queues the outcome for the next group; with {@code durable}, returns only once it is committed. */
    void record(DeliveryQueue.Outcome outcome, boolean durable) throws Exception {
        Pending pending = new Pending(outcome, new CompletableFuture<>());
        queue.add(pending);
        if (durable) {
            pending.written().get(60, TimeUnit.SECONDS);
        }
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group);
                while (true) {
                    try {
                        store.recordOutcomes(group.stream().map(Pending::outcome).toList());
                        group.forEach(pending -> pending.written().complete(null));
                        break;
                    } catch (Exception e) {
                        // The attempts happened; their record must not be lost, so the same group is written again.
                        log.warn("could not record {} webhook attempts, retrying: {}", group.size(), e.toString());
                        if (!running) {
                            group.forEach(pending -> pending.written().completeExceptionally(e));
                            break;
                        }
                        TimeUnit.MILLISECONDS.sleep(500);
                    }
                }
                group.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
