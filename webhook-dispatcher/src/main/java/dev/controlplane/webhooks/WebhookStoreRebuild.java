package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Stores;
import dev.controlplane.schemas.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What rebuilds the dispatchers' store. Subscriptions are replayed from the log. Deliveries and their attempts are
 * not in the log: they are what the dispatchers did (sent, retried, gave up, leased), and which deliveries exist
 * depends on what each subscription was when its events were projected. So the rebuild carries them over from the live
 * store with their ids, as the dispatchers' record, rather than deriving them again: nothing is sent twice, nothing
 * left unsent, and a cursor into the attempt log pages on the same. They are copied while the log replays and once
 * more with the live store frozen, which makes the copy exact. Under the freeze the copy also takes the live
 * subscriptions and the live projector's positions as they are: the replay reads past the live projector, but it made
 * no deliveries for what it read, so the copy must say it is where the live store is (or a dispatcher restarting after
 * the switch would skip those events' deliveries), with the subscriptions as they were at that point and the
 * dispatchers' marks on them (last success, failing since, a disable under way).
 */
public final class WebhookStoreRebuild {

    private static final int PAGE = 5_000;
    private static final String DELIVERY_COLUMNS = "id, subscription, event_id, event_type, payload, status, attempts, "
            + "next_attempt_at_ms, created_at_ms, claimed_by, lease_until_ms";
    /** What changes of a delivery once it exists. */
    private static final String DELIVERY_STATE = "status, attempts, next_attempt_at_ms, claimed_by, lease_until_ms";
    private static final String ATTEMPT_COLUMNS = "id, delivery_id, attempt, at_ms, status_code, latency_ms, response_body, error, dispatcher";
    private static final String DEAD_LETTER_COLUMNS = "projector, topic, partition_id, record_offset, record_key, error, recorded_at";
    private static final String SUBSCRIPTION_COLUMNS = "name, version, status, url, events, secret_sealed, previous_secret_sealed, "
            + "previous_secret_expires_at_ms, created_at_ms, last_success_at_ms, failing_since_ms, disabled_for, disabling_at_ms";

    private WebhookStoreRebuild() {
    }

    /** The webhook store, its subscriptions replayed under the dispatchers' projector name {@code projector}. */
    public static StoreRebuild.Target target(SqlStore live, String projector) {
        return StoreRebuild.Target.of(Stores.WEBHOOKS, live,
                shadow -> List.of(new StoreRebuild.Feed<>(projector, Topics.EVENTS, Envelopes::readEvent,
                        (events, checkpoint) -> SubscriptionProjection.projectSubscriptions(shadow, events, checkpoint))),
                shadow -> copyDispatcherState(live, shadow),
                shadow -> {
                    copyDispatcherState(live, shadow);
                    takeLiveSubscriptionsAndPositions(live, shadow, projector);
                });
    }

    /** Brings the copy's deliveries and attempts to the live store's. Idempotent. */
    static void copyDispatcherState(SqlStore live, SqlStore shadow) throws SQLException {
        copyDeliveries(live, shadow);
        copyAttempts(live, shadow);
    }

    /**
     * Page by page of ids: the deliveries the copy lacks are inserted whole, the ones whose state moved on are updated.
     * Only the small columns are compared; a payload is read once, when its delivery is first copied.
     */
    private static void copyDeliveries(SqlStore live, SqlStore shadow) throws SQLException {
        long after = 0;
        while (true) {
            Map<Long, List<Object>> liveStates = states(live, "deliveries", DELIVERY_STATE, after);
            if (liveStates.isEmpty()) {
                return;
            }
            long first = liveStates.keySet().iterator().next();
            long last = after = liveStates.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            Map<Long, List<Object>> copied = states(shadow, "deliveries", DELIVERY_STATE, first - 1, last);
            List<Long> missing = new ArrayList<>();
            List<Map.Entry<Long, List<Object>>> moved = new ArrayList<>();
            for (var state : liveStates.entrySet()) {
                List<Object> had = copied.get(state.getKey());
                if (had == null) {
                    missing.add(state.getKey());
                } else if (!had.equals(state.getValue())) {
                    moved.add(state);
                }
            }
            List<Object[]> rows = missing.isEmpty() ? List.of() : rows(live, "deliveries", DELIVERY_COLUMNS, missing);
            shadow.write(connection -> {
                insert(connection, "deliveries", DELIVERY_COLUMNS, rows);
                try (PreparedStatement update = connection.prepareStatement("UPDATE deliveries SET status = ?, attempts = ?,"
                        + " next_attempt_at_ms = ?, claimed_by = ?, lease_until_ms = ? WHERE id = ?")) {
                    for (var state : moved) {
                        List<Object> values = state.getValue();
                        for (int i = 0; i < values.size(); i++) {
                            update.setObject(i + 1, values.get(i));
                        }
                        update.setLong(values.size() + 1, state.getKey());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
                return null;
            });
        }
    }

    /** Attempts are only ever appended: the copy takes those it lacks (ids, not a high mark: ids commit out of order). */
    private static void copyAttempts(SqlStore live, SqlStore shadow) throws SQLException {
        long after = 0;
        while (true) {
            Map<Long, List<Object>> liveIds = states(live, "attempts", "attempt", after);
            if (liveIds.isEmpty()) {
                return;
            }
            long first = liveIds.keySet().iterator().next();
            long last = after = liveIds.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            Map<Long, List<Object>> copied = states(shadow, "attempts", "attempt", first - 1, last);
            List<Long> missing = liveIds.keySet().stream().filter(id -> !copied.containsKey(id)).toList();
            if (!missing.isEmpty()) {
                List<Object[]> rows = rows(live, "attempts", ATTEMPT_COLUMNS, missing);
                shadow.write(connection -> {
                    insert(connection, "attempts", ATTEMPT_COLUMNS, rows);
                    return null;
                });
            }
        }
    }

    /**
     * With the live store frozen: the copy's subscriptions, its projector's positions and dead letters become the live ones, in one
     * transaction (as the owner on PostgreSQL, where the services' role deletes nothing), and on PostgreSQL the copy's
     * identity sequences go on after the copied ids: left at their start, the next delivery would take a copied id.
     * SQLite takes the next id after the highest by itself.
     */
    private static void takeLiveSubscriptionsAndPositions(SqlStore live, SqlStore shadow, String projector) throws SQLException {
        List<Object[]> subscriptions = live.read(connection -> select(connection,
                "SELECT " + SUBSCRIPTION_COLUMNS + " FROM subscriptions ORDER BY name"));
        Map<Integer, Long> positions = live.positions(projector, Topics.EVENTS);
        // The records the live projector set aside stay its dead letters: the copy's replay, making no deliveries, may
        // have read some of them.
        List<Object[]> deadLetters = live.read(connection -> select(connection, "SELECT " + DEAD_LETTER_COLUMNS
                + " FROM projector_dead_letters WHERE projector = ? ORDER BY topic, partition_id, record_offset", projector));
        boolean postgres = shadow.dialect() == SqlStore.Dialect.POSTGRESQL;
        SqlStore.Work<Void> take = connection -> {
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("DELETE FROM subscriptions");
            }
            insert(connection, "subscriptions", SUBSCRIPTION_COLUMNS, subscriptions, "");
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM projector_positions WHERE projector = ? AND topic = ?")) {
                delete.setString(1, projector);
                delete.setString(2, Topics.EVENTS);
                delete.executeUpdate();
            }
            new SqlStore.Checkpoint(projector, Topics.EVENTS, positions).save(connection);
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM projector_dead_letters WHERE projector = ?")) {
                delete.setString(1, projector);
                delete.executeUpdate();
            }
            insert(connection, "projector_dead_letters", DEAD_LETTER_COLUMNS, deadLetters, "");
            if (postgres) {
                try (Statement st = connection.createStatement()) {
                    for (String table : List.of("deliveries", "attempts")) {
                        st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "
                                + table + "), false)");
                    }
                }
            }
            return null;
        };
        if (postgres) {
            shadow.writeAsOwner(take);
        } else {
            shadow.write(take);
        }
    }

    /** The next page of {@code table}'s ids after {@code after}, ascending, each with the {@code columns} given. */
    private static Map<Long, List<Object>> states(SqlStore store, String table, String columns, long after) throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT id, " + columns + " FROM " + table
                    + " WHERE id > ? ORDER BY id LIMIT " + PAGE)) {
                ps.setLong(1, after);
                return byId(ps);
            }
        });
    }

    /** The ids of {@code table} in {@code (after, last]}, each with the {@code columns} given. */
    private static Map<Long, List<Object>> states(SqlStore store, String table, String columns, long after, long last)
            throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT id, " + columns + " FROM " + table
                    + " WHERE id > ? AND id <= ? ORDER BY id")) {
                ps.setLong(1, after);
                ps.setLong(2, last);
                return byId(ps);
            }
        });
    }

    private static Map<Long, List<Object>> byId(PreparedStatement ps) throws SQLException {
        Map<Long, List<Object>> found = new java.util.LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> values = new ArrayList<>(columns - 1);
                for (int i = 2; i <= columns; i++) {
                    // One type per value on both engines (SQLite gives an Integer for a small INTEGER, PostgreSQL a Long).
                    Object value = rs.getObject(i);
                    values.add(value instanceof Number number ? (Object) number.longValue() : value);
                }
                found.put(rs.getLong(1), values);
            }
        }
        return found;
    }

    /** The whole rows of {@code ids} (at most a page of them). */
    private static List<Object[]> rows(SqlStore store, String table, String columns, List<Long> ids) throws SQLException {
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        return store.read(connection -> select(connection, "SELECT " + columns + " FROM " + table + " WHERE id IN (" + marks
                + ") ORDER BY id", ids.toArray()));
    }

    private static List<Object[]> select(Connection connection, String sql, Object... parameters) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int count = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[count];
                    for (int i = 0; i < count; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static void insert(Connection connection, String table, String columns, List<Object[]> rows) throws SQLException {
        insert(connection, table, columns, rows, " ON CONFLICT (id) DO NOTHING");
    }

    private static void insert(Connection connection, String table, String columns, List<Object[]> rows, String conflict)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(columns.split(",").length, "?"));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (" + columns + ") VALUES ("
                + marks + ")" + conflict)) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    insert.setObject(i + 1, row[i]);
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
