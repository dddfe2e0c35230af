package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

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

    private final PollBacklog interceptor = new PollBacklog();
    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    @AfterEach
    void nothingLeftUndecidedForTheNextTest() {
        PollBacklog.reset();
    }

    private void polled(Map<Integer, List<Long>> offsetsByPartition) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new LinkedHashMap<>();
        offsetsByPartition.forEach((partition, offsets) -> records.put(new TopicPartition("commands", partition),
                offsets.stream().map(o -> new ConsumerRecord<byte[], byte[]>("commands", partition, o, null, null)).toList()));
        interceptor.onConsume(new ConsumerRecords<>(records, Map.of()));
    }

    private boolean decided(int partition, long offset) {
        context.resetCommit();
        context.setRecordMetadata("commands", partition, offset);
        PollBacklog.decided(context);
        return context.committed();
    }

    @Test
    void commitsOnceEveryPartitionPolledIsDecidedToItsLastRecord() {
        polled(Map.of(0, List.of(5L, 6L), 1, List.of(9L)));

        assertThat(decided(0, 5)).isFalse();
        assertThat(decided(0, 6)).isFalse();
        assertThat(decided(1, 9)).isTrue();
    }

    @Test
    void aLaterPollBeforeTheDrainMovesTheMark() {
        polled(Map.of(0, List.of(5L)));
        polled(Map.of(0, List.of(6L, 7L)));

        assertThat(decided(0, 5)).isFalse();
        assertThat(decided(0, 6)).isFalse();
        assertThat(decided(0, 7)).isTrue();
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
