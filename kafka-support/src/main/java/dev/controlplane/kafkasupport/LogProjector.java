package dev.controlplane.kafkasupport;

import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The loop every projector runs: read committed records of one topic, hand each poll's batch to the handler, and commit the
 * offsets only after the handler has made its writes durable. The handler must be idempotent (a crash between the
 * two replays the batch); a failing batch is retried, never skipped, because a gap would corrupt the store.
 */
public class LogProjector<T> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogProjector.class);

    /** Applies a batch of records durably and idempotently. */
    @FunctionalInterface
    public interface BatchHandler<T> {
        void apply(List<T> records) throws Exception;
    }

    private final String groupId;
    private final Map<TopicPartition, Long> committedPositions = new HashMap<>();
    private final KafkaSettings settings;
    private final BatchHandler<T> handler;
    private final String topic;
    private final Function<byte[], T> reader;
    private final Function<T, Instant> occurredAt;
    private final LatencyRecorder lag = new LatencyRecorder(1 << 20);
    private volatile boolean running;
    private volatile Timer lagTimer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /**
     * @param reader     reads one record's value; a value it cannot read stops the projector (never skipped)
     * @param occurredAt when a record's fact happened, for the lag
     */
    public LogProjector(String groupId, KafkaSettings settings, String topic, Function<byte[], T> reader,
                        Function<T, Instant> occurredAt, BatchHandler<T> handler) {
        this.groupId = groupId;
        this.settings = settings;
        this.topic = topic;
        this.reader = reader;
        this.occurredAt = occurredAt;
        this.handler = handler;
    }

    /** Event occurred → visible in this projector's store, per event, in microseconds. */
    public LatencyRecorder lag() {
        return lag;
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(settings);
        consumer = KafkaClients.consumer(settings, groupId, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
        consumer.subscribe(List.of(topic));
        running = true;
        thread = Thread.ofPlatform().name("projector-" + groupId).start(this::run);
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    commitSkippedMarkers(consumer);
                    continue;
                }
                List<T> events = new ArrayList<>(records.count());
                for (ConsumerRecord<String, byte[]> record : records) {
                    events.add(reader.apply(record.value()));
                }
                applyUntilDone(events);
                if (!running) {
                    return;
                }
                recordLag(events);
                commit(consumer);
            }
        } catch (WakeupException e) {
            // stop() asked us to leave poll().
        } catch (RuntimeException e) {
            log.error("projector {} stopped on an unreadable record of {}", groupId, topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void commit(KafkaConsumer<String, byte[]> consumer) {
        try {
            consumer.commitSync();
            consumer.assignment().forEach(partition -> committedPositions.put(partition, consumer.position(partition)));
        } catch (RuntimeException e) {
            // The batch is durable; after a rebalance it is replayed and skipped by sequence.
            log.warn("projector {} could not commit offsets: {}", groupId, e.toString());
        }
    }

    /**
     * A poll that returns nothing may still move past transaction markers; committing that position keeps the
     * group's lag at zero when the projector is idle, so operators see 0, not a marker per partition.
     */
    private void commitSkippedMarkers(KafkaConsumer<String, byte[]> consumer) {
        boolean moved = consumer.assignment().stream()
                .anyMatch(partition -> !Long.valueOf(consumer.position(partition)).equals(committedPositions.get(partition)));
        if (moved) {
            commit(consumer);
        }
    }

    private void applyUntilDone(List<T> events) {
        long backoffMs = 100;
        while (running) {
            try {
                handler.apply(events);
                return;
            } catch (Exception e) {
                log.error("projector {} failed to apply {} events; retrying in {} ms", groupId, events.size(), backoffMs, e);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    private void recordLag(List<T> events) {
        Instant now = Instant.now();
        for (T event : events) {
            long micros = ChronoUnit.MICROS.between(occurredAt.apply(event), now);
            lag.record(micros);
            if (lagTimer != null) {
                lagTimer.record(micros, java.util.concurrent.TimeUnit.MICROSECONDS);
            }
        }
    }

    /** Also publishes the lag as the timer {@code admin.projection.lag} tagged with this projector's group. */
    public LogProjector<T> withMetrics(MeterRegistry registry) {
        this.lagTimer = Timer.builder("admin.projection.lag").description("event occurred to visible in this projector's store")
                .tag("projector", groupId).publishPercentiles(0.5, 0.99).register(registry);
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
