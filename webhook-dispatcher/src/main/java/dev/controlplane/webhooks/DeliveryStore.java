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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dispatcher's store: subscriptions as the log says they are, one delivery per (subscription, matching
 * event), and every attempt. Projecting is idempotent (a delivery is unique per subscription and event, a
 * subscription changes only to a newer version), so replaying the log changes nothing. Several dispatchers may
 * share it: each projects the whole log into it (the first insert of a delivery wins), and a delivery being sent is
 * leased to one of them, so it is attempted by one at a time and taken over when its dispatcher dies.
 */
final class DeliveryStore {

    /** A subscription as the dispatcher needs it. */
    record Subscription(String name, long version, String status, String url, List<String> events, String secretSealed,
                        String previousSecretSealed, Long previousSecretExpiresAtMs, long createdAtMs,
                        Long lastSuccessAtMs, Long failingSinceMs, String disabledFor) {
        boolean active() {
            return status.equals("active");
        }
    }

    /** A delivery due for an attempt. */
    /** @param leaseUntilMs the claim this copy was taken under (null when not claimed): outcomes are fenced by it */
    record Delivery(long id, String subscription, String eventId, String eventType, String payload, String status,
                    int attempts, Long nextAttemptAtMs, long createdAtMs, Long leaseUntilMs) {
    }

    /** One attempt as the attempt log shows it. */
    record Attempt(int attempt, long atMs, Integer statusCode, long latencyMs, String responseBody, String error) {
    }

    private final SqlStore store;
    private final String instance;
    private final java.time.Duration lease;
    private final java.util.concurrent.atomic.AtomicLong lastLease = new java.util.concurrent.atomic.AtomicLong();

    DeliveryStore(SqlStore store) {
        this(store, "local", java.time.Duration.ofMinutes(1));
    }

    /**
     * @param instance this dispatcher, as its leases and attempts name it
     * @param lease    how long a claimed delivery stays this dispatcher's
     */
    DeliveryStore(SqlStore store, String instance, java.time.Duration lease) {
        this.store = store;
        this.instance = instance;
        this.lease = lease;
        store.migrate("webhooks", List.of("V1__webhooks.sql", "V2__leases.sql"));
    }

    String instance() {
        return instance;
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
                    return rows.next() ? Optional.of(subscription(rows)) : Optional.empty();
                }
            }
        });
    }

    private static List<Subscription> subscriptions(Connection connection) throws SQLException {
        List<Subscription> all = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT * FROM subscriptions");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                all.add(subscription(rows));
            }
        }
        return all;
    }

    private static Subscription subscription(ResultSet row) throws SQLException {
        List<String> events = new ArrayList<>();
        Envelopes.MAPPER.readTree(row.getString("events")).forEach(filter -> events.add(filter.asString()));
        return new Subscription(row.getString("name"), row.getLong("version"), row.getString("status"), row.getString("url"),
                events, row.getString("secret_sealed"), row.getString("previous_secret_sealed"),
                nullableLong(row, "previous_secret_expires_at_ms"), row.getLong("created_at_ms"),
                nullableLong(row, "last_success_at_ms"), nullableLong(row, "failing_since_ms"), row.getString("disabled_for"));
    }

    /**
     * Takes up to {@code limit} due deliveries for an attempt each, in one transaction: they become {@code sending},
     * leased to this dispatcher, so no other pass or dispatcher takes them again until the lease ends. A delivery whose
     * dispatcher died (its lease ran out while sending) is due again. Each row is taken by a conditional update, so two
     * dispatchers claiming at once never both get one, whatever the database's isolation.
     */
    List<Delivery> claimDue(Instant now, int limit) throws SQLException {
        // Strictly increasing per dispatcher, so the rows this claim took are told apart from an earlier claim's.
        long leaseUntil = lastLease.updateAndGet(last -> Math.max(last + 1, now.plus(lease).toEpochMilli()));
        return store.write(connection -> {
            // One statement that writes first: under SQLite it waits for the write lock instead of failing on a
            // snapshot another process moved; under PostgreSQL the outer condition is checked again on rows another
            // dispatcher took meanwhile, so a row is claimed by one of them only.
            try (PreparedStatement claim = connection.prepareStatement("""
                    UPDATE deliveries SET status = 'sending', claimed_by = ?, lease_until_ms = ?
                    WHERE id IN (SELECT id FROM deliveries WHERE (status = 'pending' AND next_attempt_at_ms <= ?)
                            OR (status = 'sending' AND (lease_until_ms IS NULL OR lease_until_ms < ?))
                        ORDER BY next_attempt_at_ms, id LIMIT ?)
                      AND ((status = 'pending' AND next_attempt_at_ms <= ?)
                            OR (status = 'sending' AND (lease_until_ms IS NULL OR lease_until_ms < ?)))""")) {
                claim.setString(1, instance);
                claim.setLong(2, leaseUntil);
                claim.setLong(3, now.toEpochMilli());
                claim.setLong(4, now.toEpochMilli());
                claim.setInt(5, limit);
                claim.setLong(6, now.toEpochMilli());
                claim.setLong(7, now.toEpochMilli());
                if (claim.executeUpdate() == 0) {
                    return List.of();
                }
            }
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT * FROM deliveries WHERE status = 'sending' AND claimed_by = ? AND lease_until_ms = ?
                    ORDER BY next_attempt_at_ms, id""")) {
                select.setString(1, instance);
                select.setLong(2, leaseUntil);
                return deliveries(select);
            }
        });
    }

    /**
     * At start: this dispatcher's attempts cut short by a stop are due again (at least once: receivers deduplicate by
     * webhook-id). Another dispatcher's are left to its lease.
     */
    void resumeInterrupted() throws SQLException {
        store.write(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE deliveries SET status = 'pending' WHERE status = 'sending' AND (claimed_by = ? OR claimed_by IS NULL)")) {
                update.setString(1, instance);
                return update.executeUpdate();
            }
        });
    }

    /** When the next pending delivery is due, if any. */
    Optional<Long> nextDueAtMs() throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at_ms ELSE lease_until_ms END) FROM deliveries"
                            + " WHERE status = 'pending' OR status = 'sending'");
                 ResultSet rows = select.executeQuery()) {
                rows.next();
                long at = rows.getLong(1);
                return rows.wasNull() ? Optional.empty() : Optional.of(at);
            }
        });
    }

    /** What one attempt came to: the attempt, the delivery's next state, and whether the subscription succeeded. */
    record Outcome(Delivery delivery, Attempt attempt, String status, Long nextAttemptAtMs, boolean success) {
    }

    /**
     * Records many attempts in one transaction (one fsync for a whole batch of deliveries): each attempt, its
     * delivery's new state, and its subscription's last success or first failure.
     */
    void recordOutcomes(List<Outcome> outcomes) throws SQLException {
        store.write(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO attempts (delivery_id, attempt, at_ms, status_code, latency_ms, response_body, error, dispatcher)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
                 // Only while the claim it was attempted under still holds: a dispatcher that lost it (stopped past it,
                 // or claimed the row again meanwhile) records its attempt, which happened, but does not overwrite
                 // the state the holder of the newer claim writes.
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL"
                                 + " WHERE id = ? AND claimed_by = ? AND lease_until_ms = ?");
                 PreparedStatement success = connection.prepareStatement(
                         "UPDATE subscriptions SET last_success_at_ms = ?, failing_since_ms = NULL WHERE name = ?");
                 PreparedStatement failure = connection.prepareStatement(
                         "UPDATE subscriptions SET failing_since_ms = COALESCE(failing_since_ms, ?) WHERE name = ?")) {
                for (Outcome outcome : outcomes) {
                    Attempt attempt = outcome.attempt();
                    insert.setLong(1, outcome.delivery().id());
                    insert.setInt(2, attempt.attempt());
                    insert.setLong(3, attempt.atMs());
                    if (attempt.statusCode() == null) {
                        insert.setNull(4, Types.INTEGER);
                    } else {
                        insert.setInt(4, attempt.statusCode());
                    }
                    insert.setLong(5, attempt.latencyMs());
                    insert.setString(6, attempt.responseBody());
                    insert.setString(7, attempt.error());
                    insert.setString(8, instance);
                    insert.addBatch();
                    update.setString(1, outcome.status());
                    update.setInt(2, attempt.attempt());
                    if (outcome.nextAttemptAtMs() == null) {
                        update.setNull(3, Types.BIGINT);
                    } else {
                        update.setLong(3, outcome.nextAttemptAtMs());
                    }
                    update.setLong(4, outcome.delivery().id());
                    update.setString(5, instance);
                    update.setLong(6, outcome.delivery().leaseUntilMs() == null ? -1 : outcome.delivery().leaseUntilMs());
                    update.addBatch();
                }
                // One update per subscription per group: its latest success, or the time it started failing.
                Map<String, Outcome> latest = new LinkedHashMap<>();
                for (Outcome outcome : outcomes) {
                    latest.merge(outcome.delivery().subscription(), outcome, (a, b) -> b.success() || !a.success() ? b : a);
                }
                for (Outcome outcome : latest.values()) {
                    PreparedStatement subscription = outcome.success() ? success : failure;
                    subscription.setLong(1, outcome.attempt().atMs());
                    subscription.setString(2, outcome.delivery().subscription());
                    subscription.addBatch();
                }
                insert.executeBatch();
                update.executeBatch();
                success.executeBatch();
                failure.executeBatch();
            }
            return null;
        });
    }

    /** Ends a delivery without an attempt (its subscription is gone or inactive). */
    void abandon(Delivery delivery) throws SQLException {
        store.write(connection -> {
            // The store decides, not this dispatcher's cache: another dispatcher may have projected a reactivation.
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE deliveries SET status = 'failed', next_attempt_at_ms = NULL, claimed_by = NULL, lease_until_ms = NULL
                    WHERE id = ? AND claimed_by = ? AND lease_until_ms = ?
                      AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE name = ? AND status = 'active')""")) {
                update.setLong(1, delivery.id());
                update.setString(2, instance);
                update.setLong(3, delivery.leaseUntilMs() == null ? -1 : delivery.leaseUntilMs());
                update.setString(4, delivery.subscription());
                if (update.executeUpdate() == 0) {
                    // Still active after all: give the delivery back at once rather than wait out the lease.
                    try (PreparedStatement release = connection.prepareStatement(
                            "UPDATE deliveries SET status = 'pending', lease_until_ms = NULL WHERE id = ? AND claimed_by = ? AND lease_until_ms = ?")) {
                        release.setLong(1, delivery.id());
                        release.setString(2, instance);
                        release.setLong(3, delivery.leaseUntilMs() == null ? -1 : delivery.leaseUntilMs());
                        release.executeUpdate();
                    }
                }
            }
            return null;
        });
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

    /** A page of a subscription's deliveries, newest first, with their attempts. */
    List<Delivery> deliveries(String subscription, String status, Instant since, Instant until, Long beforeId, int limit)
            throws SQLException {
        return store.read(connection -> {
            StringBuilder sql = new StringBuilder("SELECT * FROM deliveries WHERE subscription = ?");
            List<Object> args = new ArrayList<>(List.of(subscription));
            if (status != null) {
                sql.append(" AND status = ?");
                args.add(status);
            }
            if (since != null) {
                sql.append(" AND created_at_ms >= ?");
                args.add(since.toEpochMilli());
            }
            if (until != null) {
                sql.append(" AND created_at_ms < ?");
                args.add(until.toEpochMilli());
            }
            if (beforeId != null) {
                sql.append(" AND id < ?");
                args.add(beforeId);
            }
            sql.append(" ORDER BY id DESC LIMIT ?");
            args.add(limit + 1);
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    select.setObject(i + 1, args.get(i));
                }
                return deliveries(select);
            }
        });
    }

    List<Attempt> attempts(long deliveryId) throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY attempt, id")) {
                select.setLong(1, deliveryId);
                List<Attempt> attempts = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Integer code = rows.getInt("status_code");
                        if (rows.wasNull()) {
                            code = null;
                        }
                        attempts.add(new Attempt(rows.getInt("attempt"), rows.getLong("at_ms"), code, rows.getLong("latency_ms"),
                                rows.getString("response_body"), rows.getString("error")));
                    }
                }
                return attempts;
            }
        });
    }

    /** Sends one delivery again (its attempt numbers go on); false when it does not belong to the subscription. */
    /**
     * Makes a delivery due now: its status afterwards ({@code pending}), {@code sending} when an attempt is in flight
     * (that attempt is the delivery asked for; a second at once would be a duplicate), or null when there is none.
     */
    String redeliver(String subscription, long id, Instant now) throws SQLException {
        return store.write(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE deliveries SET status = 'pending', next_attempt_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL"
                            + " WHERE id = ? AND subscription = ? AND status <> 'sending'")) {
                update.setLong(1, now.toEpochMilli());
                update.setLong(2, id);
                update.setString(3, subscription);
                if (update.executeUpdate() == 1) {
                    return "pending";
                }
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT status FROM deliveries WHERE id = ? AND subscription = ?")) {
                select.setLong(1, id);
                select.setString(2, subscription);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
    }

    /** Sends again every failed delivery of a subscription created since a time; returns how many. */
    int recover(String subscription, Instant since, Instant now) throws SQLException {
        return store.write(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE deliveries SET status = 'pending', next_attempt_at_ms = ?
                    WHERE subscription = ? AND status = 'failed' AND created_at_ms >= ?""")) {
                update.setLong(1, now.toEpochMilli());
                update.setString(2, subscription);
                update.setLong(3, since.toEpochMilli());
                return update.executeUpdate();
            }
        });
    }

    private static List<Delivery> deliveries(PreparedStatement select) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                deliveries.add(new Delivery(rows.getLong("id"), rows.getString("subscription"), rows.getString("event_id"),
                        rows.getString("event_type"), rows.getString("payload"), rows.getString("status"), rows.getInt("attempts"),
                        nullableLong(rows, "next_attempt_at_ms"), rows.getLong("created_at_ms"), nullableLong(rows, "lease_until_ms")));
            }
        }
        return deliveries;
    }

    private static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
