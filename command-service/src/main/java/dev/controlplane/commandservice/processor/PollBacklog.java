package dev.controlplane.commandservice.processor;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Commits a command that arrives alone as soon as it is decided, as a raw poll-decide-commit loop would: nobody else
 * is waiting, so Streams' commit interval could only add to its answer's latency. Under load the interval commits,
 * as before: each transaction costs the machine milliseconds of CPU (the broker's markers and offsets, every reader's
 * fetch), and committing each poll's few records at once cost 20-35% of the writes/s between 4 and 64 writers in
 * flight here.
 *
 * <p>"Alone" is what the processor can see: everything its consumer handed it is decided (the interceptor notes each
 * poll's last offsets), and this transaction and the one before it each decided a single command. The processor
 * does not see the interval's commits; it takes a transaction older than the interval to have been committed by it.
 *
 * <p>State is per stream thread: Streams runs the consumer's poll and the processors on it.
 */
public final class PollBacklog implements ConsumerInterceptor<byte[], byte[]> {

    /** One stream thread's view of its open transaction. */
    private static final class Backlog {
        /**
         * For each partition not yet decided as far as polled: the last offset polled, and when. An entry older than
         * the interval is not waited for (should a polled record never reach a processor, the interval commits).
         */
        final Map<TopicPartition, long[]> undecided = new HashMap<>();
        int decided;
        int decidedBefore;
        long openedNanos;
    }

    /**
     * Absent on a thread whose consumer has no such interceptor (commit-when-drained off): there only Streams'
     * interval commits.
     */
    private static final ThreadLocal<Backlog> BACKLOG = new ThreadLocal<>();

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        Backlog backlog = BACKLOG.get();
        if (backlog == null) {
            backlog = new Backlog();
            BACKLOG.set(backlog);
        }
        long now = System.nanoTime();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(partition);
            backlog.undecided.put(partition, new long[] {polled.getLast().offset(), now});
        }
        return records;
    }

    /**
     * The processor of a source topic's records, told after each record it processes (however that ends) and when its
     * task closes.
     */
    static <KIn, VIn, KOut, VOut> Processor<KIn, VIn, KOut, VOut> tracking(Processor<KIn, VIn, KOut, VOut> processor,
                                                                           String sourceTopic, Duration interval) {
        return new Processor<>() {
            private ProcessorContext<KOut, VOut> context;

            @Override
            public void init(ProcessorContext<KOut, VOut> context) {
                this.context = context;
                processor.init(context);
            }

            @Override
            public void process(Record<KIn, VIn> record) {
                try {
                    processor.process(record);
                } finally {
                    decided(context, interval);
                }
            }

            @Override
            public void close() {
                // A task closed (revoked, migrated): whatever it had buffered will never be decided here.
                closed(sourceTopic, context.taskId().partition());
                processor.close();
            }
        };
    }

    /** After a record is processed: commits at once if it was alone. */
    static void decided(ProcessorContext<?, ?> context, Duration interval) {
        decided(context, interval, System.nanoTime());
    }

    /** @param now {@link System#nanoTime()}, given by the tests */
    static void decided(ProcessorContext<?, ?> context, Duration interval, long now) {
        Backlog backlog = BACKLOG.get();
        RecordMetadata record = context.recordMetadata().orElse(null);
        if (backlog == null || record == null) {
            return;
        }
        if (backlog.decided > 0 && now - backlog.openedNanos >= interval.toNanos()) {
            // Streams' interval has committed what was decided since then.
            backlog.decidedBefore = backlog.decided;
            backlog.decided = 0;
        }
        if (backlog.decided++ == 0) {
            backlog.openedNanos = now;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        long[] last = backlog.undecided.get(partition);
        if (last != null && record.offset() >= last[0]) {
            backlog.undecided.remove(partition);
        }
        backlog.undecided.values().removeIf(polled -> now - polled[1] >= interval.toNanos());
        if (backlog.undecided.isEmpty() && backlog.decided == 1 && backlog.decidedBefore <= 1) {
            context.commit();
            backlog.decidedBefore = 1;
            backlog.decided = 0;
        }
    }

    /** A task's partition of this topic is no longer this thread's to decide. */
    static void closed(String topic, int partition) {
        Backlog backlog = BACKLOG.get();
        if (backlog != null) {
            backlog.undecided.remove(new TopicPartition(topic, partition));
        }
    }

    /** Forgets this thread's state, and that its consumer has the interceptor (tests run on threads of their own). */
    static void reset() {
        BACKLOG.remove();
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
