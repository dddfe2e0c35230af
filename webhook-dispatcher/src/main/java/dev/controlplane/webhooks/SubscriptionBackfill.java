package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogScan;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.EventVerb;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Events of other partitions can be projected before the event that created (or reactivated) a subscription, though
 * they happened after it: the partitions of the log are read side by side, in no set order. So when a subscription
 * starts, the events since then are read again and matched: a delivery is unique per (subscription, event), so what
 * was already created is not created twice. Only for subscriptions that started recently: a replay of an old log
 * has delivered those events long ago.
 */
final class SubscriptionBackfill implements AutoCloseable {

    private static final Duration RECENT = Duration.ofMinutes(5);
    /** How far a record's timestamp may precede its event's time (the two come from different clocks). */
    private static final Duration SKEW = Duration.ofSeconds(5);

    private final KafkaSettings kafka;
    private final SubscriptionProjection store;
    /** Used by the projector's thread only; made on first use, kept for the next subscription. */
    private KafkaConsumer<String, byte[]> consumer;

    SubscriptionBackfill(KafkaSettings kafka, SubscriptionProjection store) {
        this.kafka = kafka;
        this.store = store;
    }

    void afterProjecting(List<EventEnvelope> events, Instant now) throws Exception {
        for (EventEnvelope event : events) {
            if (!event.resource().kind().equals(ResourceKinds.WEBHOOK.name())) {
                continue;
            }
            EventVerb verb = EventVerb.fromType(event.type());
            if ((verb == EventVerb.CREATED || verb == EventVerb.REACTIVATED) && event.occurredAt().isAfter(now.minus(RECENT))) {
                backfill(event.occurredAt(), now);
            }
        }
    }

    private void backfill(Instant from, Instant now) throws Exception {
        if (consumer == null) {
            consumer = KafkaClients.consumer(kafka, null, KafkaClients.PROMPT_FETCH);
        }
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
        List<EventEnvelope> since = new ArrayList<>();
        LogScan.scan(consumer, partitions, from.minus(SKEW), null, Duration.ofSeconds(30), Integer.MAX_VALUE, record -> {
            try {
                EventEnvelope event = Envelopes.readEvent(record.value());
                if (!event.occurredAt().isBefore(from)) {
                    since.add(event);
                }
            } catch (RuntimeException unreadable) {
                // the projector records it as a dead letter
            }
            return false;
        });
        if (!since.isEmpty()) {
            store.project(since, SqlStore.Checkpoint.NONE, now);
        }
    }

    @Override
    public synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
            consumer = null;
        }
    }
}
