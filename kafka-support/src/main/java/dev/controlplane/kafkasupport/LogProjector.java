package dev.controlplane.kafkasupport;

import dev.controlplane.jdbcstore.SqlStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The loop every projector runs: read committed records of one topic and hand each poll's batch to the store, which
 * applies it <em>and records how far it got</em> in one transaction. The store's own position is the truth: on every
 * assignment the projector seeks to it, so a store that was lost starts from the beginning and one restored from an
 * older backup catches up, instead of resuming at a group offset kept in Kafka for data it no longer has. (The group
 * offset is still committed, for lag monitoring.) A record that cannot be read, or that the store refuses alone
 * while it accepts a dead-letter row, is recorded as a dead letter and skipped; a store that is away is retried.
 */
public class LogProjector<T> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogProjector.class);
    private static final int ATTEMPTS_BEFORE_ALONE = 3;

    /**
     * Applies records durably and idempotently, and in the same transaction saves {@code checkpoint} (how far the
     * projector got: {@link SqlStore.Checkpoint#save}).
     */
    @FunctionalInterface
    public interface BatchHandler<T> {
        void apply(List<T> records, SqlStore.Checkpoint checkpoint) throws Exception;
    }

    private final String groupId;
    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();
    private final KafkaSettings settings;
    private final BatchHandler<T> handler;
    private final SqlStore store;
    private final String topic;
    private final Function<byte[], T> reader;
    private final Function<T, Instant> occurredAt;
    private final LatencyRecorder lag = new LatencyRecorder(1 << 20);
    /** How long the projector may stay behind the log before {@code /health} reports it. */
    private static final Duration MAX_LAG = Duration.ofSeconds(30);
    private volatile boolean everyPartition;
    private volatile boolean running;
    private volatile Timer lagTimer;
    private volatile Counter deadLetters;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile String failing;
    private volatile Throwable lastError;
    private volatile long behind;
    private volatile long currentSinceNanos = System.nanoTime();
    private Thread thread;
    /** Per partition, the offset read next, as far as the store has it (past transaction markers included). */
    private final Map<Integer, Long> applied = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantLock progressLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition progressed = progressLock.newCondition();

    /**
     * @param reader     reads one record's value; a value it cannot read is a dead letter
     * @param occurredAt when a record's fact happened, for the lag
     * @param store      the store the handler writes: it keeps the projector's positions and dead letters
     */
    public LogProjector(String groupId, KafkaSettings settings, String topic, Function<byte[], T> reader,
                        Function<T, Instant> occurredAt, SqlStore store, BatchHandler<T> handler) {
        this.groupId = groupId;
        this.settings = settings;
        this.topic = topic;
        this.reader = reader;
        this.occurredAt = occurredAt;
        this.store = store;
        this.handler = handler;
    }

    public String name() {
        return groupId;
    }

    /** Event occurred → visible in this projector's store, per event, in microseconds. */
    public LatencyRecorder lag() {
        return lag;
    }

    /** Started, and its thread ended without being asked to: only a restart brings it back (liveness). */
    public boolean dead() {
        Thread started = thread;
        return running && started != null && !started.isAlive();
    }

    /** Null while the projector runs and keeps up; otherwise why not, for {@code /health}. */
    public String problem() {
        Thread running = thread;
        if (running == null || !running.isAlive()) {
            return "stopped";
        }
        if (failing != null) {
            return "cannot write to its store: " + failing;
        }
        long lagging = System.nanoTime() - currentSinceNanos;
        return behind > 0 && lagging > MAX_LAG.toNanos()
                ? behind + " records behind for " + TimeUnit.NANOSECONDS.toSeconds(lagging) + " s" : null;
    }

    /**
     * Reads every partition itself instead of sharing them through the group: for a store of its own per instance
     * (each query instance keeps a whole read model), where two instances in one group would each get half the log.
     */
    public LogProjector<T> everyPartition() {
        this.everyPartition = true;
        return this;
    }

    /** Starts before and stops after the web server, so reads in flight at a stop are answered from a live store. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(settings);
        consumer = KafkaClients.consumer(settings, groupId, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
        running = true;
        if (everyPartition) {
            List<TopicPartition> all = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(all);
            seekToStoredPositions(all);
            thread = Thread.ofPlatform().name("projector-" + groupId).start(this::run);
            return;
        }
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekToStoredPositions(partitions);
            }
        });
        thread = Thread.ofPlatform().name("projector-" + groupId).start(this::run);
    }

    /** The store says where it is; a partition it has never seen starts at the beginning. */
    private void seekToStoredPositions(Collection<TopicPartition> partitions) {
        long backoffMs = 100;
        while (running) {
            try {
                Map<Integer, Long> stored = store.positions(groupId, topic);
                List<TopicPartition> fresh = new ArrayList<>();
                for (TopicPartition partition : partitions) {
                    Long next = stored.get(partition.partition());
                    if (next == null) {
                        fresh.add(partition);
                    } else {
                        consumer.seek(partition, next);
                    }
                }
                consumer.seekToBeginning(fresh);
                failing = null;
                return;
            } catch (Exception e) {
                failing = e.toString();
                log.error("projector {} cannot read its positions; retrying in {} ms", groupId, backoffMs, e);
                backoffMs = pause(backoffMs);
            }
        }
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    applyAll(records);
                    if (!running) {
                        return;
                    }
                }
                advance();
                commit(records.isEmpty());
                measureLag();
            }
        } catch (WakeupException e) {
            // stop() asked us to leave poll().
        } catch (RuntimeException e) {
            log.error("projector {} stopped", groupId, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyAll(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> readable = new ArrayList<>(records.count());
        List<T> values = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            T value;
            try {
                value = reader.apply(record.value());
            } catch (RuntimeException e) {
                // Recorded now, skipped by the batch's position below: both or neither reach the store with it.
                deadLetter(record, "unreadable: " + e.getClass().getName());
                continue;
            }
            readable.add(record);
            values.add(value);
        }
        // The consumer's position is past every record of the poll, and past any transaction marker after them.
        Map<Integer, Long> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            next.put(partition.partition(), consumer.position(partition));
        }
        if (tryApply(values, next, ATTEMPTS_BEFORE_ALONE)) {
            published(next);
            recordLag(values);
            return;
        }
        // The batch keeps failing: find the record the store refuses, one at a time.
        for (int i = 0; i < readable.size() && running; i++) {
            ConsumerRecord<String, byte[]> record = readable.get(i);
            Map<Integer, Long> after = Map.of(record.partition(), record.offset() + 1);
            while (running && !tryApply(List.of(values.get(i)), after, ATTEMPTS_BEFORE_ALONE)) {
                if (transientFailure(lastError)) {
                    continue; // the store is away, not the record at fault: never skip for that
                }
                String error = describe(lastError);
                deadLetter(record, error);
                // The dead letter is in: the store answers. One more try, then the record is skipped.
                if (tryApply(List.of(values.get(i)), after, 1)) {
                    break;
                }
                if (!transientFailure(lastError)) {
                    skip(record);
                    break;
                }
            }
        }
    }

    /** Errors a store gives while it is away or busy: a record is never skipped for one of them. */
    static boolean transientFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientException || cause instanceof java.sql.SQLRecoverableException
                    || cause instanceof java.io.IOException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                String message = String.valueOf(sql.getMessage());
                if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57")
                        || message.contains("SQLITE_BUSY") || message.contains("database is locked") || message.contains("closed")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What a dead letter says of an error: its kind and SQL state, never its message (which may quote the record). */
    private static String describe(Throwable error) {
        if (error == null) {
            return "unknown";
        }
        StringBuilder text = new StringBuilder(error.getClass().getName());
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                text.append(" (SQL state ").append(sql.getSQLState()).append(')');
                break;
            }
        }
        return text.toString();
    }

    /** Applies until it succeeds, for {@code attempts} tries. */
    private boolean tryApply(List<T> values, Map<Integer, Long> next, int attempts) {
        long backoffMs = 100;
        for (int attempt = 1; attempt <= attempts && running; attempt++) {
            try {
                handler.apply(values, new SqlStore.Checkpoint(groupId, topic, next));
                failing = null;
                lastError = null;
                return true;
            } catch (Exception e) {
                failing = describe(e);
                lastError = e;
                log.error("projector {} failed to apply {} records (attempt {}); retrying in {} ms", groupId, values.size(),
                        attempt, backoffMs, e);
                backoffMs = pause(backoffMs);
            }
        }
        return false;
    }

    /**
     * Records a record that could not be applied, in the same store: if that fails too, the store is away (not the
     * record at fault), so it keeps trying. Only the coordinates and the kind of error are kept, never the value: an
     * operator reads the record on the log.
     */
    private void deadLetter(ConsumerRecord<String, byte[]> record, String error) {
        long backoffMs = 100;
        while (running) {
            try {
                store.deadLetter(groupId, record.topic(), record.partition(), record.offset(), record.key(), error);
                log.error("projector {} recorded {}-{}@{} as a dead letter: {}", groupId, record.topic(), record.partition(),
                        record.offset(), error);
                if (deadLetters != null) {
                    deadLetters.increment();
                }
                return;
            } catch (Exception e) {
                failing = describe(e);
                backoffMs = pause(backoffMs);
            }
        }
    }

    /** Moves the store's position past one dead letter. */
    private void skip(ConsumerRecord<String, byte[]> record) {
        long backoffMs = 100;
        while (running) {
            try {
                new SqlStore.Checkpoint(groupId, topic, Map.of(record.partition(), record.offset() + 1)).save(store);
                failing = null;
                return;
            } catch (Exception e) {
                failing = describe(e);
                backoffMs = pause(backoffMs);
            }
        }
    }

    /**
     * Publishes how far the store is, once everything polled is in it. An idle poll can move past transaction
     * markers only; that position is saved too, so the store's position reaches the log's committed end.
     */
    private void advance() {
        Map<Integer, Long> now = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            now.put(partition.partition(), consumer.position(partition));
        }
        Map<Integer, Long> moved = new HashMap<>();
        now.forEach((partition, position) -> {
            if (!position.equals(applied.get(partition))) {
                moved.put(partition, position);
            }
        });
        if (moved.isEmpty()) {
            return;
        }
        try {
            new SqlStore.Checkpoint(groupId, topic, moved).save(store);
        } catch (Exception e) {
            log.warn("projector {} could not save its position: {}", groupId, e.toString());
            return;
        }
        published(moved);
    }

    private void published(Map<Integer, Long> positions) {
        applied.putAll(positions);
        progressLock.lock();
        try {
            progressed.signalAll();
        } finally {
            progressLock.unlock();
        }
    }

    /**
     * Waits until the store holds everything before {@code ends} (per partition, an offset of the topic): a read
     * after that sees every write committed to the log when those ends were taken. False on timeout.
     */
    public boolean awaitPositions(Map<Integer, Long> ends, Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        progressLock.lock();
        try {
            while (!reached(ends)) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = progressed.awaitNanos(remaining);
            }
            return true;
        } finally {
            progressLock.unlock();
        }
    }

    private boolean reached(Map<Integer, Long> ends) {
        for (var end : ends.entrySet()) {
            if (end.getValue() > 0 && applied.getOrDefault(end.getKey(), -1L) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private long pause(long backoffMs) {
        try {
            Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return Math.min(backoffMs * 2, 10_000);
    }

    /**
     * Commits the group offset for monitoring. An idle poll may still move past transaction markers; committing that
     * keeps the group's lag at zero when the projector is idle, so operators see 0, not a marker per partition.
     */
    private void commit(boolean idle) {
        try {
            if (idle && consumer.assignment().stream()
                    .allMatch(partition -> Long.valueOf(consumer.position(partition)).equals(committedPositions.get(partition)))) {
                return;
            }
            consumer.commitSync();
            consumer.assignment().forEach(partition -> committedPositions.put(partition, consumer.position(partition)));
        } catch (RuntimeException e) {
            log.warn("projector {} could not commit offsets: {}", groupId, e.toString());
        }
    }

    private void measureLag() {
        long total = 0;
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            total += partitionLag.orElse(0);
        }
        behind = total;
        if (total == 0) {
            currentSinceNanos = System.nanoTime();
        }
    }

    private void recordLag(List<T> events) {
        Instant now = Instant.now();
        for (T event : events) {
            long micros = ChronoUnit.MICROS.between(occurredAt.apply(event), now);
            lag.record(micros);
            if (lagTimer != null) {
                lagTimer.record(micros, TimeUnit.MICROSECONDS);
            }
        }
    }

    /**
     * Also publishes the lag as the timer {@code admin.projection.lag} and the dead letters as the counter
     * {@code admin.projection.dead.letters}, both tagged with this projector's group.
     */
    public LogProjector<T> withMetrics(MeterRegistry registry) {
        this.lagTimer = Timer.builder("admin.projection.lag").description("event occurred to visible in this projector's store")
                .tag("projector", groupId).publishPercentiles(0.5, 0.99).register(registry);
        this.deadLetters = Counter.builder("admin.projection.dead.letters").description("records this projector skipped")
                .tag("projector", groupId).register(registry);
        return this;
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
