package dev.controlplane.kafkasupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads some partitions from a moment on, by record time, to their ends as they are when the scan starts: how a
 * command's result is found by its time-ordered id, and how a new subscription finds the events since it began.
 * Bounded by a time and a record budget, so a scan never holds its caller for long.
 */
public final class LogScan {

    /** The record the visitor stopped at (if any), and whether every partition was read to its end (or past {@code until}). */
    public record Result(Optional<ConsumerRecord<String, byte[]>> stoppedAt, boolean complete) {
    }

    private LogScan() {
    }

    /**
     * @param until   a partition is left once a record newer than this is read (null: read to the end)
     * @param visitor sees each record in order; returning true stops the scan there
     */
    public static Result scan(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, Instant from, Instant until,
                              Duration budget, int maxRecords, Predicate<ConsumerRecord<String, byte[]>> visitor) {
        consumer.assign(partitions);
        // Pauses outlive a scan for partitions assigned again: every scan starts with all of its partitions readable.
        consumer.resume(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<TopicPartition> open = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp start = starts.get(partition);
            if (start != null && start.offset() < ends.get(partition)) {
                consumer.seek(partition, start.offset());
                open.add(partition);
            }
        }
        consumer.pause(partitions.stream().filter(p -> !open.contains(p)).toList());
        int read = 0;
        long deadline = System.nanoTime() + budget.toNanos();
        while (!open.isEmpty() && read < maxRecords && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (!open.contains(partition)) {
                    continue;
                }
                read++;
                if (visitor.test(record)) {
                    return new Result(Optional.of(record), true);
                }
                if (until != null && record.timestamp() > until.toEpochMilli()) {
                    open.remove(partition);
                    consumer.pause(List.of(partition));
                }
            }
            for (TopicPartition partition : List.copyOf(open)) {
                if (consumer.position(partition) >= ends.get(partition)) {
                    open.remove(partition);
                    consumer.pause(List.of(partition));
                }
            }
        }
        return new Result(Optional.empty(), open.isEmpty());
    }
}
