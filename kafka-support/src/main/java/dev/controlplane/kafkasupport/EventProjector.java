package dev.controlplane.kafkasupport;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Topics;

/** A projector of the event log, {@link Topics#EVENTS}: what the read model, the audit store and webhooks run. */
public final class EventProjector extends LogProjector<EventEnvelope> {

    public EventProjector(String groupId, KafkaSettings settings, SqlStore store, BatchHandler<EventEnvelope> handler) {
        super(groupId, settings, Topics.EVENTS, Envelopes::readEvent, EventEnvelope::occurredAt, store, handler);
    }
}
