package dev.controlplane.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The outcomes of finished attempts, waiting for the sender's next transaction: whatever finished while the previous
 * one was being committed goes in the next, with that round's claim, so one commit covers many deliveries. A success
 * need not be waited for: until it is written its delivery stays {@code sending} under its lease, and a crash before
 * the write means one more attempt (at least once). A failure is waited for, because what follows reads it.
 */
final class Outcomes {

    /** One outcome and whoever waits for it to be committed. */
    record Pending(DeliveryQueue.Outcome outcome, CompletableFuture<Void> written) {
    }

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final Runnable wake;
    private volatile boolean closed;

    /** @param wake tells the writer that something is waiting */
    Outcomes(Runnable wake) {
        this.wake = wake;
    }

    /** Queues the outcome for the next transaction; with {@code durable}, returns only once it is committed. */
    void record(DeliveryQueue.Outcome outcome, boolean durable) throws Exception {
        Pending pending = new Pending(outcome, new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            fail(drain());
        }
        wake.run();
        if (durable) {
            pending.written().get(60, TimeUnit.SECONDS);
        }
    }

    /** Everything waiting, oldest first, for the writer to commit and then complete. */
    List<Pending> drain() {
        List<Pending> drained = new ArrayList<>();
        for (Pending pending = queue.poll(); pending != null; pending = queue.poll()) {
            drained.add(pending);
        }
        return drained;
    }

    /**
     * The writer has stopped: these, and whatever is recorded from now on, will not be written. Their deliveries stay
     * {@code sending}: attempted again at this dispatcher's next start, or by any once their lease ends.
     */
    void fail(List<Pending> unwritten) {
        closed = true;
        IllegalStateException stopped = new IllegalStateException("the webhook sender stopped before the attempt was recorded");
        unwritten.forEach(pending -> pending.written().completeExceptionally(stopped));
        drain().forEach(pending -> pending.written().completeExceptionally(stopped));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    static List<DeliveryQueue.Outcome> outcomes(List<Pending> pending) {
        return pending.stream().map(Pending::outcome).toList();
    }
}
