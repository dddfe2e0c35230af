package dev.controlplane.queryservice.resources;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogProjector;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpHeaders;

/**
 * Consistent reads, as Kubernetes' are by default: before a read is answered, the store it reads has applied the
 * event log up to its committed end as it stood when the request arrived. So a client that got a 201 from one
 * instance and reads from another never sees 404. One end-offset lookup serves every request that arrived before
 * it started; requests that arrive meanwhile share the next one.
 */
public final class ReadBarrier implements AutoCloseable {

    private record Lookup(long startedNanos, CompletableFuture<Map<Integer, Long>> ends) {
    }

    private final Admin admin;
    private final LogProjector<?> projector;
    private final SqlStore store;
    private final String projectorName;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    private Lookup latest;
    private volatile java.util.List<TopicPartition> partitions;

    /**
     * @param projector the projector writing the store in this process, or null when another process does (then
     *                  its position is read from the store)
     */
    public ReadBarrier(KafkaSettings kafka, LogProjector<?> projector, SqlStore store, String projectorName, Duration wait) {
        this.admin = KafkaClients.admin(kafka, Map.of());
        this.projector = projector;
        this.store = store;
        this.projectorName = projectorName;
        this.wait = wait;
    }

    /** Returns once the store is current as of {@code arrivedNanos} (a {@link System#nanoTime()}); 503 after the wait. */
    public void await(long arrivedNanos) {
        long deadline = arrivedNanos + wait.toNanos();
        try {
            Map<Integer, Long> ends = endsAsOf(arrivedNanos).get(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (projector != null) {
                if (projector.awaitPositions(ends, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    return;
                }
            } else {
                while (System.nanoTime() < deadline) {
                    if (reached(store.positions(projectorName, Topics.EVENTS), ends)) {
                        return;
                    }
                    Thread.sleep(5);
                }
            }
            throw behind();
        } catch (TimeoutException | ExecutionException | java.sql.SQLException e) {
            throw behind();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw behind();
        }
    }

    private static boolean reached(Map<Integer, Long> positions, Map<Integer, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0 || positions.getOrDefault(end.getKey(), -1L) >= end.getValue());
    }

    private ApiException behind() {
        return new ApiException(Problem.of("not-yet-consistent", "Service unavailable", 503,
                "the read model has not caught up with the log within " + wait.toMillis()
                        + " ms; retry, or read with consistency=eventual"), Map.of(HttpHeaders.RETRY_AFTER, "1"));
    }

    /** The committed ends of the event log, from a lookup that started at or after {@code arrivedNanos}. */
    private CompletableFuture<Map<Integer, Long>> endsAsOf(long arrivedNanos) {
        lock.lock();
        try {
            Lookup current = latest;
            if (current != null && current.startedNanos() - arrivedNanos >= 0 && !current.ends().isCompletedExceptionally()) {
                return current.ends();
            }
            if (current != null && !current.ends().isDone()) {
                // One in flight began before this request: the next one, after it, serves this request and all
                // that arrive meanwhile.
                CompletableFuture<Map<Integer, Long>> next = current.ends().handle((ok, error) -> null)
                        .thenCompose(ignored -> endsAsOf(arrivedNanos));
                return next;
            }
            Lookup started = new Lookup(System.nanoTime(), lookup());
            latest = started;
            return started.ends();
        } finally {
            lock.unlock();
        }
    }

    private CompletableFuture<Map<Integer, Long>> lookup() {
        CompletableFuture<Map<Integer, Long>> ends = new CompletableFuture<>();
        // The partitions never change under a running processor (it refuses to start otherwise): look them up once.
        java.util.concurrent.CompletionStage<java.util.List<TopicPartition>> known = partitions != null
                ? CompletableFuture.completedFuture(partitions)
                : admin.describeTopics(java.util.List.of(Topics.EVENTS)).allTopicNames().toCompletionStage().thenApply(topics -> {
                    java.util.List<TopicPartition> found = topics.get(Topics.EVENTS).partitions().stream()
                            .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
                    partitions = found;
                    return found;
                });
        known.thenCompose(list -> {
                    Map<TopicPartition, OffsetSpec> query = new HashMap<>();
                    list.forEach(p -> query.put(p, OffsetSpec.latest()));
                    // The high watermark, not the last stable offset: a transaction's result can be visible (its caller
                    // answered) before its commit marker reaches this topic's partitions, and then the stable offset
                    // still leaves its events out. Waiting past the watermark waits for that marker (milliseconds).
                    return admin.listOffsets(query, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().toCompletionStage();
                })
                .whenComplete((offsets, error) -> {
                    if (error != null) {
                        ends.completeExceptionally(error);
                    } else {
                        Map<Integer, Long> byPartition = new HashMap<>();
                        offsets.forEach((partition, info) -> byPartition.put(partition.partition(), info.offset()));
                        ends.complete(byPartition);
                    }
                });
        return ends;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
