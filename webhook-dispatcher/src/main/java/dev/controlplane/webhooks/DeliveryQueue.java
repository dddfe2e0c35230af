package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deliveries waiting for an attempt, shared by every dispatcher of one store: a due delivery is claimed by one
 * conditional update and leased to one dispatcher, so it is attempted by one at a time, and taken over when its
 * dispatcher dies; an outcome is written only under the claim it was attempted under.
 */
final class DeliveryQueue {

    private final SqlStore store;
    private final String instance;
    private final java.time.Duration lease;
    private final java.util.concurrent.atomic.AtomicLong lastLease = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param instance this dispatcher, as its leases and attempts name it
     * @param lease    how long a claimed delivery stays this dispatcher's
     */
    DeliveryQueue(SqlStore store, String instance, java.time.Duration lease) {
        this.store = store;
        this.instance = instance;
        this.lease = lease;
        WebhookSchema.migrate(store);
    }

    /**
     * Takes up to {@code limit} due deliveries for an attempt each, in one transaction: they become {@code sending},
     * leased to this dispatcher, so no other pass or dispatcher takes them again until the lease ends. A delivery whose
     * dispatcher died (its lease ran out while sending) is due again. Each row is taken by a conditional update, so two
     * dispatchers claiming at once never both get one, whatever the database's isolation.
     */
    List<Delivery> claimDue(Instant now, int limit) throws SQLException {
        long leaseUntil = nextLease(now);
        return store.write(connection -> claim(connection, now, limit, leaseUntil));
    }

    /**
     * Records the outcomes of finished attempts ({@link #recordOutcomes}) and claims up to {@code limit} due
     * deliveries ({@link #claimDue}) in one transaction: a busy dispatcher pays one commit for both.
     */
    List<Delivery> settleAndClaim(List<Outcome> outcomes, Instant now, int limit) throws SQLException {
        long leaseUntil = nextLease(now);
        return store.write(connection -> {
            record(connection, outcomes);
            return limit > 0 ? claim(connection, now, limit, leaseUntil) : List.of();
        });
    }

    /** Strictly increasing per dispatcher, so the rows a claim took are told apart from an earlier claim's. */
    private long nextLease(Instant now) {
        return lastLease.updateAndGet(last -> Math.max(last + 1, now.plus(lease).toEpochMilli()));
    }

    private List<Delivery> claim(java.sql.Connection connection, Instant now, int limit, long leaseUntil) throws SQLException {
        // One statement that writes first: under SQLite it waits for the write lock instead of failing on a
        // snapshot another process moved; under PostgreSQL the outer condition is checked again on rows another
        // dispatcher took meanwhile, so a row is claimed by one of them only.
        // Each branch reads its own index (due pending in order; sending past its lease), so a claim costs the rows
        // it takes, not a scan and sort of the whole backlog. The condition checked again is a CASE, not an OR of two
        // ranges, so that SQLite's planner drives the update from the ids taken (an OR made it walk every due row,
        // ~7 ms a claim at 60,000 due against 0.5). The claimed rows come back from the update itself (RETURNING,
        // SQLite 3.35+ and PostgreSQL), not from a second statement finding them again by their lease.
        List<Delivery> claimed;
        try (PreparedStatement claim = connection.prepareStatement("""
                UPDATE deliveries SET status = 'sending', claimed_by = ?, lease_until_ms = ?
                WHERE id IN (SELECT id FROM (
                        SELECT id FROM (SELECT id FROM deliveries WHERE status = 'sending' AND (lease_until_ms IS NULL OR lease_until_ms < ?)
                            ORDER BY lease_until_ms LIMIT ?) expired
                        UNION ALL SELECT id FROM (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ?
                            ORDER BY next_attempt_at_ms, id LIMIT ?) due) candidates LIMIT ?)
                  AND CASE status WHEN 'pending' THEN next_attempt_at_ms <= ?
                        WHEN 'sending' THEN lease_until_ms IS NULL OR lease_until_ms < ? ELSE FALSE END
                RETURNING\s""" + Delivery.COLUMNS)) {
            claim.setString(1, instance);
            claim.setLong(2, leaseUntil);
            claim.setLong(3, now.toEpochMilli());
            claim.setInt(4, limit);
            claim.setLong(5, now.toEpochMilli());
            claim.setInt(6, limit);
            claim.setInt(7, limit);
            claim.setLong(8, now.toEpochMilli());
            claim.setLong(9, now.toEpochMilli());
            claimed = Delivery.all(claim);
        }
        // RETURNING keeps no order: attempted in the order they fell due.
        claimed.sort(CLAIM_ORDER);
        return claimed;
    }

    private static final java.util.Comparator<Delivery> CLAIM_ORDER = java.util.Comparator
            .comparing(Delivery::nextAttemptAtMs, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparingLong(Delivery::id);

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
            // Two index lookups (the first due and the first lease to end) rather than one pass over the backlog.
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT (SELECT MIN(next_attempt_at_ms) FROM deliveries WHERE status = 'pending'),"
                            + " (SELECT MIN(lease_until_ms) FROM deliveries WHERE status = 'sending')");
                 ResultSet rows = select.executeQuery()) {
                rows.next();
                Long due = WebhookSchema.nullableLong(rows, 1);
                Long leaseEnds = WebhookSchema.nullableLong(rows, 2);
                return due == null ? Optional.ofNullable(leaseEnds) : Optional.of(leaseEnds == null ? due : Math.min(due, leaseEnds));
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
            record(connection, outcomes);
            return null;
        });
    }

    private void record(java.sql.Connection connection, List<Outcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO attempts (delivery_id, attempt, at_ms, status_code, latency_ms, response_body, error, dispatcher)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
             // Only while the claim it was attempted under still holds: a dispatcher that lost it (stopped past it,
             // or claimed the row again meanwhile) records its attempt, which happened, but does not overwrite
             // the state the holder of the newer claim writes.
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL"
                             + " WHERE id = ? AND claimed_by = ? AND lease_until_ms = ?");
             // One statement for successes and failures alike, so the batch takes the rows in the order given.
             PreparedStatement subscription = connection.prepareStatement("""
                     UPDATE subscriptions SET last_success_at_ms = CASE WHEN ? THEN ? ELSE last_success_at_ms END,
                         failing_since_ms = CASE WHEN ? THEN NULL ELSE COALESCE(failing_since_ms, ?) END
                     WHERE name = ?""")) {
            // Rows in one order (deliveries by id, subscriptions by name), so two dispatchers' rounds on PostgreSQL
            // wait for each other rather than deadlock.
            for (Outcome outcome : outcomes.stream().sorted(java.util.Comparator.comparingLong(o -> o.delivery().id())).toList()) {
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
                // The receiver chose these bytes: PostgreSQL refuses NUL in text, and one refused row would fail
                // every round after it.
                insert.setString(6, withoutNul(attempt.responseBody()));
                insert.setString(7, withoutNul(attempt.error()));
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
            Map<String, Outcome> latest = new java.util.TreeMap<>();
            for (Outcome outcome : outcomes) {
                latest.merge(outcome.delivery().subscription(), outcome, (a, b) -> b.success() || !a.success() ? b : a);
            }
            for (Outcome outcome : latest.values()) {
                subscription.setBoolean(1, outcome.success());
                subscription.setLong(2, outcome.attempt().atMs());
                subscription.setBoolean(3, outcome.success());
                subscription.setLong(4, outcome.attempt().atMs());
                subscription.setString(5, outcome.delivery().subscription());
                subscription.addBatch();
            }
            insert.executeBatch();
            update.executeBatch();
            subscription.executeBatch();
        }
    }

    private static String withoutNul(String text) {
        return text == null ? null : text.replace("\u0000", "");
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
                    release(connection, List.of(delivery));
                }
            }
            return null;
        });
    }

    /** Gives claimed deliveries back unattempted (this dispatcher stopped first), in one transaction: due again now, for any dispatcher. */
    void release(List<Delivery> deliveries) throws SQLException {
        if (deliveries.isEmpty()) {
            return;
        }
        store.write(connection -> {
            release(connection, deliveries);
            return null;
        });
    }

    private void release(java.sql.Connection connection, List<Delivery> deliveries) throws SQLException {
        try (PreparedStatement release = connection.prepareStatement(
                "UPDATE deliveries SET status = 'pending', lease_until_ms = NULL WHERE id = ? AND claimed_by = ? AND lease_until_ms = ?")) {
            // In id order, as every batch that writes deliveries (two dispatchers wait rather than deadlock).
            for (Delivery delivery : deliveries.stream().sorted(java.util.Comparator.comparingLong(Delivery::id)).toList()) {
                release.setLong(1, delivery.id());
                release.setString(2, instance);
                release.setLong(3, delivery.leaseUntilMs() == null ? -1 : delivery.leaseUntilMs());
                release.addBatch();
            }
            release.executeBatch();
        }
    }

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
}
