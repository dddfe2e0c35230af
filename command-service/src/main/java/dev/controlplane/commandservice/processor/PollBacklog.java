package dev.controlplane.commandservice.processor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Commits the processor's transaction as soon as its stream thread has decided everything it polled, as a raw
 * poll-decide-commit loop does: one command alone is answered one commit after it arrives, and under load a
 * transaction holds everything that arrived during the one before. A time-based commit interval trades the two
 * (short: a transaction per few records; long: every answer waits it out). Streams' interval (100 ms) still commits
 * too, since a requested commit does not restart it, and is what commits should this signal fail.
 *
 * <p>The main consumer's interceptor notes each poll's last offset per partition; the processors, which Streams runs
 * on the thread that polled, ask for a commit once each noted partition is decided up to that offset.
 */
public final class PollBacklog implements ConsumerInterceptor<byte[], byte[]> {

    /**
     * Per stream thread: the last offset polled, for each partition not yet decided that far. Absent on a thread
     * whose consumer has no such interceptor (commit-when-drained off): there only the commit interval commits.
     */
    private static final ThreadLocal<Map<TopicPartition, Long>> UNDECIDED = new ThreadLocal<>();

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, Long> undecided = UNDECIDED.get();
        if (undecided == null) {
            undecided = new HashMap<>();
            UNDECIDED.set(undecided);
        }
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(partition);
            undecided.put(partition, polled.getLast().offset());
        }
        return records;
    }

    /** After a record is processed: asks for a commit if it was the last one polled that was still undecided. */
    static void decided(ProcessorContext<?, ?> context) {
        Map<TopicPartition, Long> undecided = UNDECIDED.get();
        RecordMetadata record = context.recordMetadata().orElse(null);
        if (undecided == null || record == null) {
            return;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Long last = undecided.get(partition);
        if (last != null && record.offset() >= last) {
            undecided.remove(partition);
        }
        if (undecided.isEmpty()) {
            context.commit();
        }
    }

    /** A task closed (revoked, migrated): whatever it had buffered will never be decided here. */
    static void closed(String topic, int partition) {
        Map<TopicPartition, Long> undecided = UNDECIDED.get();
        if (undecided != null) {
            undecided.remove(new TopicPartition(topic, partition));
        }
    }

    /** Forgets this thread's marks, and that its consumer has the interceptor (tests run on threads of their own). */
    static void reset() {
        UNDECIDED.remove();
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
