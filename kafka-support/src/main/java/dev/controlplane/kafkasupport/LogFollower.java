package dev.controlplane.kafkasupport;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic from its beginning, committed records only, for as long as it runs, without a
 * consumer group: what every in-memory view of the log that a decision or an authorization relies on is built on.
 *
 * <p>It never dies silently: a failure is logged and reported ({@link #problem}), and reading starts over from
 * where it was. Right after a topic is created its metadata may list no partitions: it waits for them instead of
 * reading nothing for ever. It is current once it has read everything committed when it started ({@link #loaded}),
 * and for as long as the broker keeps answering it (an empty poll proves nothing, so it asks for the ends every
 * two seconds). {@link #catchUpTo} brings it up to everything committed before a moment; callers that arrive while
 * one catch-up runs are served together by the next, so a burst costs one offset lookup per round trip. Waits use
 * locks, not monitors: callers may be virtual threads, which a monitor would pin to their carrier (JDK 21).
 */
public final class LogFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogFollower.class);
    private static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final Duration CONFIRM_EVERY = Duration.ofSeconds(2);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

    private final String name;
    private final String topic;
    private final KafkaSettings kafka;
    private final Runnable beforeAssign;
    private final Consumer<ConsumerRecord<String, byte[]>> apply;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition progressed = progressLock.newCondition();
    private final ReentrantLock catchingUp = new ReentrantLock();
    private volatile Instant currentAsOf = Instant.MIN;
    private volatile boolean running;
    private volatile boolean loaded;
    private volatile long lastAnsweredNanos = System.nanoTime();
    private volatile String problem = "starting";
    private volatile List<TopicPartition> partitions = List.of();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Admin admin;
    private Thread thread;

    /**
     * @param beforeAssign run before the partitions are looked up (it may create the topic); a failure is retried
     * @param apply        applies one record, on the follower's thread; an exception skips that record (logged)
     */
    public LogFollower(String name, KafkaSettings kafka, String topic, Runnable beforeAssign,
                       Consumer<ConsumerRecord<String, byte[]>> apply) {
        this.name = name;
        this.kafka = kafka;
        this.topic = topic;
        this.beforeAssign = beforeAssign;
        this.apply = apply;
    }

    public synchronized void start() {
        admin = KafkaClients.admin(kafka, Map.of());
        running = true;
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** The admin client the follower uses, for callers that ask the same broker something else. */
    public Admin admin() {
        return admin;
    }

    public List<TopicPartition> partitions() {
        return partitions;
    }

    public boolean loaded() {
        return loaded;
    }

    /** Null while current; otherwise why not, for {@code /health}. */
    public String problem() {
        if (!loaded) {
            return problem == null ? "loading" : problem;
        }
        long silent = System.nanoTime() - lastAnsweredNanos;
        return silent > STALE_AFTER.toNanos()
                ? "has not heard from the broker for " + TimeUnit.NANOSECONDS.toSeconds(silent) + " s" + (problem == null ? "" : ": " + problem)
                : null;
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        return KafkaClients.consumer(kafka, null, KafkaClients.PROMPT_FETCH);
    }

    private void run() {
        Map<TopicPartition, Long> startEnds = null;
        long lastConfirmed = 0;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = newConsumer();
                }
                if (consumer.assignment().isEmpty() && !assign()) {
                    problem = "waiting for the partitions of " + topic;
                    pause();
                    continue;
                }
                if (startEnds == null) {
                    startEnds = committedEnds();
                    lastAnsweredNanos = System.nanoTime();
                }
                poll();
                if (System.nanoTime() - lastConfirmed > CONFIRM_EVERY.toNanos()) {
                    committedEnds();
                    lastConfirmed = System.nanoTime();
                    lastAnsweredNanos = lastConfirmed;
                }
                if (!loaded && reached(startEnds)) {
                    loaded = true;
                    lastAnsweredNanos = System.nanoTime();
                    log.info("{} has read {}", name, topic);
                }
                problem = null;
                signal();
            } catch (WakeupException e) {
                break;
            } catch (Exception e) {
                problem = e.toString();
                log.warn("{} could not read {}; trying again: {}", name, topic, e.toString());
                closeConsumer();
                pause();
            }
        }
        closeConsumer();
    }

    private boolean assign() {
        beforeAssign.run();
        List<TopicPartition> found = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (found.isEmpty()) {
            return false;
        }
        consumer.assign(found);
        for (TopicPartition partition : found) {
            Long position = positions.get(partition);
            if (position == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, position);
            }
        }
        partitions = found;
        return true;
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            try {
                apply.accept(record);
            } catch (RuntimeException e) {
                // One unreadable record must not stop the view: everything waiting on it would wait for ever.
                log.warn("{} skips the record at {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(), e.toString());
            }
        }
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
    }

    /**
     * True once the view has read everything committed before {@code moment}, waiting at most {@code limit}
     * (also for the first full read after a start); false when it cannot in time.
     */
    public boolean catchUpTo(Instant moment, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            if (!catchingUp.tryLock(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (!currentAsOf.isBefore(moment)) {
                return true;
            }
            Instant started = Instant.now();
            if (!await(() -> loaded, deadline)) {
                return false;
            }
            Map<TopicPartition, Long> ends = committedEnds();
            if (!await(() -> reached(ends), deadline)) {
                return false;
            }
            currentAsOf = started;
            return true;
        } catch (Exception e) {
            log.warn("could not catch {} up: {}", name, e.toString());
            return false;
        } finally {
            catchingUp.unlock();
        }
    }

    /** Waits until this view has read {@code partition} up to {@code offset}, or the deadline passes. */
    public boolean awaitPosition(TopicPartition partition, long offset, long deadlineNanos) {
        return await(() -> positions.getOrDefault(partition, 0L) >= offset, deadlineNanos);
    }

    /** The end of one partition as the broker has it now, committed records only or everything written. */
    public long end(TopicPartition partition, IsolationLevel isolation, Duration timeout) throws Exception {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(isolation)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(partition).offset();
    }

    private Map<TopicPartition, Long> committedEnds() throws Exception {
        List<TopicPartition> known = partitions;
        if (known.isEmpty()) {
            throw new IllegalStateException("the partitions of " + topic + " are not known yet");
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        known.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(5, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        return !ends.isEmpty() && ends.entrySet().stream().allMatch(end -> positions.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    private boolean await(BooleanSupplier done, long deadlineNanos) {
        progressLock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !running) {
                    return false;
                }
                progressed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            progressLock.unlock();
        }
    }

    private void signal() {
        progressLock.lock();
        try {
            progressed.signalAll();
        } finally {
            progressLock.unlock();
        }
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                log.debug("closing the consumer of {}: {}", name, e.toString());
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
