package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollBacklogTest {

    /** Longer than any of these tests: the interval never passes within one. */
    private static final Duration INTERVAL = Duration.ofHours(1);

    private final PollBacklog interceptor = new PollBacklog();
    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    @AfterEach
    void nothingLeftForTheNextTest() {
        PollBacklog.reset();
    }

    private void polled(Map<Integer, List<Long>> offsetsByPartition) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new LinkedHashMap<>();
        offsetsByPartition.forEach((partition, offsets) -> records.put(new TopicPartition("commands", partition),
                offsets.stream().map(o -> new ConsumerRecord<byte[], byte[]>("commands", partition, o, null, null)).toList()));
        interceptor.onConsume(new ConsumerRecords<>(records, Map.of()));
    }

    private boolean decided(int partition, long offset, Duration interval, long now) {
        context.resetCommit();
        context.setRecordMetadata("commands", partition, offset);
        PollBacklog.decided(context, interval, now);
        return context.committed();
    }

    private boolean decided(int partition, long offset) {
        return decided(partition, offset, INTERVAL, System.nanoTime());
    }

    @Test
    void aCommandAlone_isCommittedAsSoonAsItIsDecided() {
        polled(Map.of(0, List.of(5L)));
        assertThat(decided(0, 5)).isTrue();

        polled(Map.of(1, List.of(9L)));
        assertThat(decided(1, 9)).isTrue();
    }

    @Test
    void commandsArrivingTogether_areLeftToTheInterval() {
        polled(Map.of(0, List.of(5L, 6L), 1, List.of(9L)));

        assertThat(decided(0, 5)).isFalse();
        assertThat(decided(0, 6)).isFalse();
        assertThat(decided(1, 9)).isFalse();
    }

    @Test
    void whileMorePolledIsUndecided_nothingIsCommitted() {
        polled(Map.of(0, List.of(5L), 1, List.of(9L)));

        assertThat(decided(0, 5)).isFalse();
    }

    @Test
    void afterALoadedTransaction_aLoneCommandWaitsOneIntervalThenIsCommittedAtOnceAgain() {
        Duration interval = Duration.ofMillis(10);
        long t = System.nanoTime();
        polled(Map.of(0, List.of(5L, 6L)));
        decided(0, 5, interval, t);
        decided(0, 6, interval, t + 1_000_000);

        // The interval has committed the two; after a transaction of two, one command is not "alone" yet.
        polled(Map.of(0, List.of(7L)));
        assertThat(decided(0, 7, interval, t + 11_000_000)).isFalse();

        polled(Map.of(0, List.of(8L)));
        assertThat(decided(0, 8, interval, t + 22_000_000)).isTrue();
    }

    @Test
    void aPartitionPolledLongerAgoThanTheInterval_isNotWaitedFor() {
        Duration interval = Duration.ofMillis(10);
        polled(Map.of(0, List.of(5L), 1, List.of(9L)));
        long later = System.nanoTime() + interval.toNanos();

        assertThat(decided(0, 5, interval, later)).isTrue();
    }

    @Test
    void aClosedTasksRecordsAreNoLongerAwaited() {
        polled(Map.of(0, List.of(5L), 1, List.of(9L)));

        PollBacklog.closed("commands", 1);

        assertThat(decided(0, 5)).isTrue();
    }

    @Test
    void onAThreadWhoseConsumerHasNoSuchInterceptor_onlyTheIntervalCommits() throws InterruptedException {
        AtomicBoolean committed = new AtomicBoolean(true);
        Thread thread = Thread.ofPlatform().start(() -> committed.set(decided(0, 5)));
        thread.join();

        assertThat(committed).isFalse();
    }
}
