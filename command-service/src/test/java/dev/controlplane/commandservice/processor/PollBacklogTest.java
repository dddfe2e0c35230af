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

    private boolean decided(int partition, long offset, Duration interval) {
        context.resetCommit();
        context.setRecordMetadata("commands", partition, offset);
        PollBacklog.decided(context, interval);
        return context.committed();
    }

    private boolean decided(int partition, long offset) {
        return decided(partition, offset, INTERVAL);
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
    void afterALoadedTransaction_aLoneCommandWaitsOneIntervalThenIsCommittedAtOnceAgain() throws InterruptedException {
        Duration interval = Duration.ofMillis(1);
        polled(Map.of(0, List.of(5L, 6L)));
        decided(0, 5, interval);
        decided(0, 6, interval);
        awaitPast(interval);

        // The interval committed the two; one transaction of two is not "alone" yet for the next one.
        polled(Map.of(0, List.of(7L)));
        assertThat(decided(0, 7, interval)).isFalse();
        awaitPast(interval);

        polled(Map.of(0, List.of(8L)));
        assertThat(decided(0, 8, interval)).isTrue();
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

    /** The rule reads the monotonic clock; this test's interval is a millisecond, so the wait is one. */
    private static void awaitPast(Duration interval) {
        long until = System.nanoTime() + interval.toNanos();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> System.nanoTime() > until);
    }
}
