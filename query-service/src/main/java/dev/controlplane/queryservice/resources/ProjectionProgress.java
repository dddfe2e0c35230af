package dev.controlplane.queryservice.resources;

import dev.controlplane.schemas.EventEnvelope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets a read wait until the read model holds at least a given version of a resource (read-your-writes).
 * The projector reports each committed batch; waiters for those resources are released at once.
 */
public final class ProjectionProgress {

    private record Waiter(long version, CompletableFuture<Void> reached) {
    }

    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

    /** Registers interest before the caller checks the store, so a batch committed in between is not missed. */
    CompletableFuture<Void> await(String resourceKey, long version) {
        Waiter waiter = new Waiter(version, new CompletableFuture<>());
        waiters.computeIfAbsent(resourceKey, k -> new CopyOnWriteArrayList<>()).add(waiter);
        waiter.reached().whenComplete((ok, error) -> forget(resourceKey, waiter));
        return waiter.reached();
    }

    private void forget(String resourceKey, Waiter waiter) {
        waiters.computeIfPresent(resourceKey, (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** Called after a batch is durable in the read model. */
    public void committed(List<EventEnvelope> events) {
        if (waiters.isEmpty()) {
            return;
        }
        for (EventEnvelope event : events) {
            List<Waiter> list = waiters.get(event.resource().key());
            if (list != null) {
                list.stream().filter(w -> w.version() <= event.sequence()).forEach(w -> w.reached().complete(null));
            }
        }
    }
}
