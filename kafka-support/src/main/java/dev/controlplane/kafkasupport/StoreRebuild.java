package dev.controlplane.kafkasupport;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a store from the log while the live one serves. The log is replayed from its beginning into an empty copy
 * of the store ({@link SqlStore#openShadow}), under the live projectors' names, so the copy's positions are theirs.
 * Once the copy is within a poll or two of the live store, the live store is frozen ({@link SqlStore#freeze}: no
 * write commits, reads go on), the copy reads on until it holds at least everything the live store holds, the target
 * adds what the log alone does not give, and the copy takes the live store's place. Writers blocked by the freeze
 * then go on into the rebuilt tables, from where they were: what the copy read past them they apply again, which a
 * projector's store ignores (every apply is idempotent). A freeze that cannot catch up within its limit is let go and
 * tried again ten seconds later, so the live store is never held for long. A record the copy refuses becomes a dead
 * letter of the copy, as it did of the live store. A topic whose retention has dropped records cannot be replayed
 * into what the live store holds of them: its rebuild is refused. A failed rebuild leaves the live store untouched
 * and its copy dropped.
 */
public final class StoreRebuild {

    private static final Logger log = LoggerFactory.getLogger(StoreRebuild.class);
    /** How far behind the live store the copy may be when the freeze starts: about a poll's worth. */
    private static final long CLOSE_ENOUGH = 2_000;
    /** The longest the live store is held still for one try at switching. */
    private static final Duration FREEZE_LIMIT = Duration.ofSeconds(5);
    private static final int MAX_POLL_RECORDS = 2_000;
    /** After a try at switching that had to let go, the live store writes undisturbed this long. */
    private static final Duration BETWEEN_TRIES = Duration.ofSeconds(10);
    private static final int MAX_TRIES = 30;

    /** One topic a store is projected from: its projector's name (the live one's), how to read and to apply a record. */
    public record Feed<T>(String projector, String topic, Function<byte[], T> reader, LogProjector.BatchHandler<T> handler) {
    }

    /** A store that can be rebuilt: what it is fed from, and what it adds before the switch. */
    public interface Target {

        /** The store's name: {@code read-model}, {@code audit}, {@code webhooks}. */
        String name();

        SqlStore live();

        /** The feeds, writing into {@code shadow}. */
        List<Feed<?>> feeds(SqlStore shadow);

        /**
         * Runs about once a second while the copy replays: for what the copy takes from the live store rather than
         * from the log (audit records of a topic that keeps only days), so that little is left for the freeze.
         */
        default void alongside(SqlStore shadow) throws SQLException {
        }

        /** Runs with the live store frozen and the copy caught up, just before the switch. */
        default void beforeSwitch(SqlStore shadow) throws SQLException {
        }

        static Target of(String name, SqlStore live, Function<SqlStore, List<Feed<?>>> feeds, Finish beforeSwitch) {
            return of(name, live, feeds, shadow -> {
            }, beforeSwitch);
        }

        static Target of(String name, SqlStore live, Function<SqlStore, List<Feed<?>>> feeds, Finish alongside, Finish beforeSwitch) {
            return new Target() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public SqlStore live() {
                    return live;
                }

                @Override
                public List<Feed<?>> feeds(SqlStore shadow) {
                    return feeds.apply(shadow);
                }

                @Override
                public void alongside(SqlStore shadow) throws SQLException {
                    alongside.run(shadow);
                }

                @Override
                public void beforeSwitch(SqlStore shadow) throws SQLException {
                    beforeSwitch.run(shadow);
                }
            };
        }
    }

    /** What a target adds to the copy before the switch. */
    @FunctionalInterface
    public interface Finish {
        void run(SqlStore shadow) throws SQLException;
    }

    public enum State { REPLAYING, SWITCHING, DONE, FAILED }

    /**
     * Where a rebuild is. {@code records} and {@code total} count the log's records read and in the log (a transaction
     * marker counts as one); {@code secondsLeft} is null until there is a rate to tell it by.
     */
    public record Progress(String store, State state, long records, long total, double perSecond, Long secondsLeft,
                           Instant startedAt, Instant finishedAt, int switchTries, long deadLetters, String error) {
    }

    private final Target target;
    private final KafkaSettings kafka;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private volatile State state = State.REPLAYING;
    private volatile long read;
    private volatile long total;
    private volatile Instant finishedAt;
    private volatile long finishedNanos;
    private volatile String error;
    private volatile int switchTries;
    /** Records the copy set aside, as the live projector did: an operator reads them in the store's dead letters. */
    private volatile long deadLetters;
    private volatile boolean cancelled;
    private Thread thread;

    private StoreRebuild(Target target, KafkaSettings kafka) {
        this.target = target;
        this.kafka = kafka;
    }

    /** Starts rebuilding {@code target} on a thread of its own. */
    public static StoreRebuild start(Target target, KafkaSettings kafka) {
        StoreRebuild rebuild = new StoreRebuild(target, kafka);
        rebuild.thread = Thread.ofPlatform().name("rebuild-" + target.name()).start(rebuild::run);
        return rebuild;
    }

    public Progress progress() {
        double seconds = Math.max(1e-3, ((finishedAt == null ? System.nanoTime() : finishedNanos) - startedNanos) / 1e9);
        double rate = read / seconds;
        Long left = state == State.REPLAYING && rate > 0 ? (long) Math.ceil(Math.max(0, total - read) / rate) : null;
        return new Progress(target.name(), state, read, Math.max(total, read), Math.round(rate * 10) / 10.0, left, startedAt,
                finishedAt, switchTries, deadLetters, error);
    }

    public boolean finished() {
        return state == State.DONE || state == State.FAILED;
    }

    /** Stops a rebuild that has not switched yet, leaving the live store as it is. */
    public void cancel() throws InterruptedException {
        cancelled = true;
        if (thread != null) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30));
        }
    }

    private void run() {
        SqlStore shadow = null;
        State outcome = State.FAILED;
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(kafka, null, Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS))) {
            try {
                shadow = target.live().openShadow();
            } catch (IllegalStateException e) {
                throw new RebuildFailure(e.getMessage(), e);
            }
            Map<String, Feed<?>> feeds = new HashMap<>();
            target.feeds(shadow).forEach(feed -> feeds.put(feed.topic(), feed));
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : feeds.keySet()) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            for (var beginning : beginnings.entrySet()) {
                if (beginning.getValue() > 0) {
                    throw new RebuildFailure(beginning.getKey() + " no longer starts at its first record (its retention "
                            + "dropped some): a store rebuilt from it would lose what the live one keeps of them", null);
                }
            }
            long nextCheck = 0;
            long nextTry = 0;
            while (!cancelled) {
                apply(consumer, feeds, shadow, consumer.poll(Duration.ofMillis(200)));
                read = sum(partitions, tp -> consumer.position(tp) - beginnings.get(tp));
                if (System.nanoTime() < nextCheck) {
                    continue;
                }
                nextCheck = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                total = sum(partitions, tp -> ends.get(tp) - beginnings.get(tp));
                long behind;
                try {
                    pastTheLog(consumer, feeds, partitions);
                    target.alongside(shadow);
                    behind = behindLive(consumer, feeds, partitions);
                } catch (SQLException e) {
                    if (!LogProjector.transientFailure(e)) {
                        throw e;
                    }
                    log.warn("rebuild of {}: the live store did not answer ({}); going on", target.name(), e.toString());
                    continue;
                }
                if (System.nanoTime() >= nextTry && behind <= CLOSE_ENOUGH) {
                    if (trySwitch(consumer, feeds, partitions, shadow)) {
                        outcome = State.DONE;
                        log.info("rebuild of {} switched over: {} records read", target.name(), read);
                        return;
                    }
                    if (switchTries >= MAX_TRIES) {
                        throw new RebuildFailure("could not switch in " + MAX_TRIES + " tries: the live store stays busy", null);
                    }
                    nextTry = System.nanoTime() + BETWEEN_TRIES.toNanos();
                }
            }
            error = "cancelled";
        } catch (Exception e) {
            log.error("rebuild of {} failed; the live store is as it was", target.name(), e);
            error = cancelled ? "cancelled" : e.getClass().getSimpleName() + (e instanceof RebuildFailure ? ": " + e.getMessage() : "");
        } finally {
            if (shadow != null && outcome != State.DONE) {
                try {
                    shadow.discard();
                } catch (Exception e) {
                    log.warn("rebuild of {}: could not drop its copy; the next rebuild will", target.name(), e);
                }
            }
            finishedNanos = System.nanoTime();
            finishedAt = Instant.now();
            // Last: whoever sees the rebuild finished sees when, and its copy already dropped.
            state = outcome;
        }
    }

    /**
     * Freezes the live store, reads on until the copy holds what the live store holds, and switches. False when the
     * freeze could not be had or the copy did not catch up within {@link #FREEZE_LIMIT}: the live store goes on.
     */
    private boolean trySwitch(KafkaConsumer<String, byte[]> consumer, Map<String, Feed<?>> feeds, List<TopicPartition> partitions,
                              SqlStore shadow) throws Exception {
        switchTries++;
        long deadline = System.nanoTime() + FREEZE_LIMIT.toNanos();
        SqlStore.Freeze freeze;
        try {
            freeze = target.live().freeze(FREEZE_LIMIT);
        } catch (SQLException e) {
            if (notNow(e)) {
                log.info("rebuild of {}: the live store could not be held still ({}); trying again later", target.name(), e.toString());
                return false;
            }
            throw e;
        }
        try (freeze) {
            while (behindLive(consumer, feeds, partitions) > 0) {
                if (cancelled || System.nanoTime() > deadline) {
                    log.info("rebuild of {}: not caught up within {}; the live store goes on, trying again later", target.name(), FREEZE_LIMIT);
                    return false;
                }
                apply(consumer, feeds, shadow, consumer.poll(Duration.ofMillis(100)));
            }
            state = State.SWITCHING;
            // The copy's positions say how far it is, past transaction markers and records it could not read too.
            for (Feed<?> feed : feeds.values()) {
                Map<Integer, Long> next = new HashMap<>();
                partitions.stream().filter(tp -> tp.topic().equals(feed.topic()))
                        .forEach(tp -> next.put(tp.partition(), consumer.position(tp)));
                new SqlStore.Checkpoint(feed.projector(), feed.topic(), next).save(shadow);
            }
            boolean[] committed = {false};
            try {
                freeze.replaceWith(shadow, () -> {
                    // From here on the copy changes in ways a later try could not build on (ids given out): a
                    // failure fails the rebuild rather than trying again.
                    committed[0] = true;
                    target.beforeSwitch(shadow);
                });
            } catch (Exception e) {
                if (committed[0]) {
                    throw new RebuildFailure("the switch failed (" + e.getClass().getSimpleName() + "); the live store is as it was", e);
                }
                throw e;
            }
            return true;
        } catch (SQLException e) {
            state = State.REPLAYING;
            if (notNow(e)) {
                log.info("rebuild of {}: could not switch now ({}); trying again later", target.name(), e.toString());
                return false;
            }
            throw e;
        } catch (Exception e) {
            state = State.REPLAYING;
            throw e;
        }
    }

    /** Nothing was changed, and a later try may succeed: busy, a lock not had in time, a deadlock the database broke. */
    private static boolean notNow(SQLException e) {
        return e instanceof SqlStore.NotNow || e instanceof java.sql.SQLTransientException
                || "55P03".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }

    /** A live store whose positions are past the log's end (a topic made again, a store from elsewhere) is never caught up. */
    private void pastTheLog(KafkaConsumer<String, byte[]> consumer, Map<String, Feed<?>> feeds, List<TopicPartition> partitions)
            throws SQLException, RebuildFailure {
        Map<String, Map<Integer, Long>> positions = new HashMap<>();
        for (Feed<?> feed : feeds.values()) {
            positions.put(feed.topic(), target.live().positions(feed.projector(), feed.topic()));
        }
        // The ends after the positions: the live store may move on meanwhile, never past the end taken after it.
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (Feed<?> feed : feeds.values()) {
            Map<Integer, Long> live = positions.get(feed.topic());
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(feed.topic()) && live.getOrDefault(tp.partition(), 0L) > ends.get(tp)) {
                    throw new RebuildFailure("the live store is past the end of " + tp + ": it was not projected from this log", null);
                }
            }
        }
    }

    /** How many records the copy lacks of what the live store holds, by the stores' positions. */
    private long behindLive(KafkaConsumer<String, byte[]> consumer, Map<String, Feed<?>> feeds, List<TopicPartition> partitions)
            throws SQLException {
        long behind = 0;
        for (Feed<?> feed : feeds.values()) {
            Map<Integer, Long> live = target.live().positions(feed.projector(), feed.topic());
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(feed.topic())) {
                    behind += Math.max(0, live.getOrDefault(tp.partition(), 0L) - consumer.position(tp));
                }
            }
        }
        return behind;
    }

    private void apply(KafkaConsumer<String, byte[]> consumer, Map<String, Feed<?>> feeds, SqlStore shadow,
                       ConsumerRecords<String, byte[]> records) throws Exception {
        for (TopicPartition partition : records.partitions()) {
            Feed<?> feed = feeds.get(partition.topic());
            applyPartition(feed, shadow, records.records(partition), consumer.position(partition));
        }
    }

    private <T> void applyPartition(Feed<T> feed, SqlStore shadow, List<ConsumerRecord<String, byte[]>> records, long next)
            throws Exception {
        List<ConsumerRecord<String, byte[]>> readable = new ArrayList<>(records.size());
        List<T> values = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                values.add(feed.reader().apply(record.value()));
                readable.add(record);
            } catch (RuntimeException e) {
                // As the live projector does: a dead letter, and on.
                shadow.deadLetter(feed.projector(), record.topic(), record.partition(), record.offset(), record.key(),
                        "unreadable: " + e.getClass().getName());
                deadLetters++;
            }
        }
        int partition = records.getFirst().partition();
        if (applied(feed, values, new SqlStore.Checkpoint(feed.projector(), feed.topic(), Map.of(partition, next)))) {
            return;
        }
        // The copy refuses the batch: find the records it refuses, one at a time, and set them aside as the live
        // projector did, so one such record does not fail every rebuild.
        for (int i = 0; i < readable.size(); i++) {
            ConsumerRecord<String, byte[]> record = readable.get(i);
            SqlStore.Checkpoint one = new SqlStore.Checkpoint(feed.projector(), feed.topic(), Map.of(partition, record.offset() + 1));
            if (!applied(feed, List.of(values.get(i)), one)) {
                log.warn("rebuild of {}: {}-{}@{} refused by the copy, recorded as a dead letter", target.name(), record.topic(),
                        record.partition(), record.offset());
                shadow.deadLetter(feed.projector(), record.topic(), record.partition(), record.offset(), record.key(),
                        "refused by the rebuild");
                deadLetters++;
            }
        }
        new SqlStore.Checkpoint(feed.projector(), feed.topic(), Map.of(partition, next)).save(shadow);
    }

    /** Applies, retrying what the store gives as passing trouble; false when it refuses these records. */
    private <T> boolean applied(Feed<T> feed, List<T> values, SqlStore.Checkpoint checkpoint) throws Exception {
        long backoffMs = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                feed.handler().apply(values, checkpoint);
                return true;
            } catch (Exception e) {
                if (!LogProjector.transientFailure(e)) {
                    return false;
                }
                if (attempt >= 5) {
                    throw new RebuildFailure("the copy's store stays unavailable (" + e.getClass().getSimpleName() + ")", e);
                }
                Thread.sleep(backoffMs);
                backoffMs *= 2;
            }
        }
    }

    private static long sum(List<TopicPartition> partitions, java.util.function.ToLongFunction<TopicPartition> each) {
        return partitions.stream().mapToLong(each).sum();
    }

    /** A failure the progress may name: it says where, never what a record holds. */
    private static final class RebuildFailure extends Exception {
        RebuildFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
