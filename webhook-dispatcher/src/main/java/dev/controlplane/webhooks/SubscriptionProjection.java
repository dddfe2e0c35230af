package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Projects the log into the dispatchers' store: subscriptions as the log says they are, and one delivery per
 * (subscription, matching event). Idempotent (a delivery is unique per subscription and event, a subscription changes
 * only to a newer version), so replaying the log, or two dispatchers projecting it into one store, changes nothing.
 * It also keeps whether a subscription is being disabled.
 */
final class SubscriptionProjection {

    private final SqlStore store;
    private final java.time.Duration lease;

    /** @param lease how long a disable mark holds before another dispatcher may take it again */
    SubscriptionProjection(SqlStore store, java.time.Duration lease) {
        this.store = store;
        this.lease = lease;
        WebhookSchema.migrate(store);
    }

    /** Applies a batch of events: subscription changes first, then a delivery for every match. */
    void project(List<EventEnvelope> events, SqlStore.Checkpoint checkpoint, Instant now) throws SQLException {
        store.write(connection -> {
            checkpoint.save(connection);
            for (EventEnvelope event : events) {
                if (event.resource().kind().equals(ResourceKinds.WEBHOOK.name())) {
                    upsertSubscription(connection, event);
                }
            }
            List<Subscription> active = subscriptions(connection).stream().filter(Subscription::active).toList();
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO deliveries (subscription, event_id, event_type, payload, status, attempts, next_attempt_at_ms, created_at_ms)
                    VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (subscription, event_id) DO NOTHING""")) {
                for (EventEnvelope event : events) {
                    long occurred = event.occurredAt().toEpochMilli();
                    String payload = null;
                    for (Subscription subscription : active) {
                        if (occurred < subscription.createdAtMs()
                                || subscription.events().stream().noneMatch(filter -> EventFilters.matches(filter, event.type()))) {
                            continue;
                        }
                        payload = payload != null ? payload : payload(event);
                        insert.setString(1, subscription.name());
                        insert.setString(2, event.id().toString());
                        insert.setString(3, event.type());
                        insert.setString(4, payload);
                        insert.setLong(5, now.toEpochMilli());
                        insert.setLong(6, now.toEpochMilli());
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /**
     * Applies a batch's subscription changes only, no deliveries: a rebuild's replay (WebhookStoreRebuild), which takes
     * the deliveries over from the live store.
     */
    static void projectSubscriptions(SqlStore store, List<EventEnvelope> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        store.write(connection -> {
            checkpoint.save(connection);
            for (EventEnvelope event : events) {
                if (event.resource().kind().equals(ResourceKinds.WEBHOOK.name())) {
                    upsertSubscription(connection, event);
                }
            }
            return null;
        });
    }

    /** The webhook body of Standard Webhooks: {@code type}, {@code timestamp}, {@code data} (the event, secrets removed). */
    static String payload(EventEnvelope event) {
        ObjectNode data = Envelopes.MAPPER.valueToTree(event);
        ResourceKind kind = ResourceKinds.byName(event.resource().kind()).orElse(null);
        if (kind != null) {
            data.set("data", kind.shown(event.data()));
            data.set("changes", kind.secret().redacted(event.changes()));
        }
        ObjectNode body = Envelopes.MAPPER.createObjectNode();
        body.put("type", event.type());
        body.put("timestamp", event.occurredAt().toString());
        body.set("data", data);
        return Envelopes.MAPPER.writeValueAsString(body);
    }

    private static void upsertSubscription(Connection connection, EventEnvelope event) throws SQLException {
        JsonNode data = event.data();
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO subscriptions (name, version, status, url, events, secret_sealed, previous_secret_sealed,
                    previous_secret_expires_at_ms, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET version = excluded.version, status = excluded.status, url = excluded.url,
                    events = excluded.events, secret_sealed = excluded.secret_sealed,
                    previous_secret_sealed = excluded.previous_secret_sealed,
                    previous_secret_expires_at_ms = excluded.previous_secret_expires_at_ms,
                    failing_since_ms = CASE WHEN excluded.status = 'active' AND subscriptions.status <> 'active'
                        THEN NULL ELSE subscriptions.failing_since_ms END,
                    disabled_for = CASE WHEN excluded.status = 'active' THEN NULL ELSE subscriptions.disabled_for END
                WHERE excluded.version > subscriptions.version""")) {
            upsert.setString(1, event.resource().name());
            upsert.setLong(2, event.sequence());
            upsert.setString(3, data.path("status").asString());
            upsert.setString(4, data.path("url").asString());
            upsert.setString(5, Envelopes.MAPPER.writeValueAsString(data.path("events")));
            upsert.setString(6, data.path(ResourceKind.SEALED_SECRET).asString());
            String previous = data.path(ResourceKind.PREVIOUS_SEALED_SECRET).asString(null);
            upsert.setString(7, previous);
            if (data.has(ResourceKind.PREVIOUS_SECRET_EXPIRES_AT)) {
                upsert.setLong(8, Instant.parse(data.get(ResourceKind.PREVIOUS_SECRET_EXPIRES_AT).asString()).toEpochMilli());
            } else {
                upsert.setNull(8, Types.BIGINT);
            }
            upsert.setLong(9, Instant.parse(data.path("created_at").asString()).toEpochMilli());
            upsert.executeUpdate();
        }
    }

    Optional<Subscription> subscription(String name) throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT * FROM subscriptions WHERE name = ?")) {
                select.setString(1, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(Subscription.of(rows)) : Optional.empty();
                }
            }
        });
    }

    private static List<Subscription> subscriptions(Connection connection) throws SQLException {
        List<Subscription> all = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT * FROM subscriptions");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                all.add(Subscription.of(rows));
            }
        }
        return all;
    }

    /**
     * Marks a subscription as being disabled (the command is on its way); false when it already was. A mark older than
     * a lease is taken again: the dispatcher that made it may have died before sending the command.
     */
    boolean markDisabling(String subscription, String reason) throws SQLException {
        long now = System.currentTimeMillis();
        return store.write(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE subscriptions SET disabled_for = ?, disabling_at_ms = ? WHERE name = ?"
                            + " AND (disabled_for IS NULL OR disabling_at_ms IS NULL OR disabling_at_ms < ?)")) {
                update.setString(1, reason);
                update.setLong(2, now);
                update.setString(3, subscription);
                update.setLong(4, now - lease.toMillis());
                return update.executeUpdate() == 1;
            }
        });
    }

    void clearDisabling(String subscription) throws SQLException {
        store.write(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE subscriptions SET disabled_for = NULL WHERE name = ?")) {
                update.setString(1, subscription);
                return update.executeUpdate();
            }
        });
    }
}
