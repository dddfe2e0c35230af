package dev.controlplane.auditstore;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventVersions;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.EventVerb;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Appends audit records (idempotently, by event id) and answers audit queries with keyset pages. */
public final class AuditStore {

    private static final String COLUMNS = "id, event_id, occurred_at_us, actor, action, resource_kind, resource_name, "
            + "version, command_id, request_id, source_ip, user_agent, changes";

    private static final String INSERTED = "event_id, occurred_at_us, actor, action, verb, resource_kind, resource_name, "
            + "version, command_id, request_id, source_ip, user_agent, changes";

    private final SqlStore store;
    /** For a rebuild: the live store whose ids the records keep, so a cursor taken on it stays valid. */
    private final SqlStore idsFrom;

    public AuditStore(SqlStore store) {
        this(store, null);
    }

    private AuditStore(SqlStore store, SqlStore idsFrom) {
        this.store = store;
        this.idsFrom = idsFrom;
        store.migrate();
    }

    /**
     * Appends into {@code shadow}, a rebuild of {@code live} and its only writer: each record keeps the id it has in
     * the live store, so cursors and ids clients hold stay valid after the switch. A record the live store lacks (it
     * lost it, or skipped it as a dead letter) waits in {@code audit_strays} and takes a new id, after every live one,
     * in {@link #placeStrays}.
     */
    public static AuditStore rebuilding(SqlStore shadow, SqlStore live) {
        return new AuditStore(shadow, live);
    }

    /** Appends one record per event in one transaction; events already recorded are skipped. */
    public void append(List<EventEnvelope> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        appendRows(events, checkpoint, event -> event.id().toString(), (ps, event) -> {
            RequestContext request = event.request() == null ? new RequestContext(null, null, null) : event.request();
            ps.setString(1, event.id().toString());
            ps.setLong(2, micros(event.occurredAt()));
            ps.setString(3, event.actor());
            ps.setString(4, event.action());
            ps.setString(5, EventVerb.fromType(event.type()).action());
            ps.setString(6, event.resource().kind());
            ps.setString(7, event.resource().name());
            ps.setLong(8, event.sequence());
            ps.setString(9, event.commandId().toString());
            ps.setString(10, request.requestId());
            ps.setString(11, request.sourceIp());
            ps.setString(12, request.userAgent());
            ps.setString(13, Envelopes.MAPPER.writeValueAsString(redacted(event)));
        });
    }

    /**
     * Appends one record per security event (a window's failed or denied calls from one address): action
     * {@code auth.failed} or {@code auth.denied}, resource {@code auth/<address>}, {@code version} the count, and in
     * {@code changes} the count, the reasons and the endpoints. Idempotent by the event's id.
     */
    public void appendSecurity(List<SecurityEvent> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        appendRows(events, checkpoint, event -> event.id().toString(), (ps, event) -> {
            var changes = Envelopes.MAPPER.createObjectNode();
            changes.put("count", event.count());
            changes.put("window_seconds", event.windowSeconds());
            changes.set("reasons", Envelopes.MAPPER.valueToTree(event.reasons()));
            changes.set("endpoints", Envelopes.MAPPER.valueToTree(event.endpoints()));
            ps.setString(1, event.id().toString());
            ps.setLong(2, micros(event.windowStart()));
            ps.setString(3, event.actor());
            ps.setString(4, event.type());
            ps.setString(5, event.type().substring(event.type().indexOf('.') + 1));
            ps.setString(6, "auth");
            ps.setString(7, event.sourceIp() == null ? "unknown" : event.sourceIp());
            ps.setLong(8, event.count());
            ps.setString(9, event.id().toString());
            ps.setString(10, null);
            ps.setString(11, event.sourceIp());
            ps.setString(12, null);
            ps.setString(13, Envelopes.MAPPER.writeValueAsString(changes));
        });
    }

    /** Binds one record's columns, in {@link #appendRows}'s order. */
    @FunctionalInterface
    private interface Row<T> {
        void bind(PreparedStatement insert, T record) throws SQLException;
    }

    /** One transaction: the append lock, the projector's position, the records (each once by event id), their times. */
    private <T> void appendRows(List<T> records, SqlStore.Checkpoint checkpoint, java.util.function.Function<T, String> eventId,
                                Row<T> row) throws SQLException {
        if (idsFrom != null) {
            appendKeepingIds(records, checkpoint, eventId, row);
            return;
        }
        // A plain insert first: a batch holds records already appended only when a projector replays, and skipping
        // them (ON CONFLICT) costs every batch a speculative insert per row on PostgreSQL.
        try {
            store.write(connection -> insertRows(connection, records, checkpoint, eventId, row, ""));
        } catch (SQLException e) {
            if (!appendedBefore(e)) {
                throw e;
            }
            store.write(connection -> insertRows(connection, records, checkpoint, eventId, row, " ON CONFLICT (event_id) DO NOTHING"));
        }
    }

    private <T> Void insertRows(java.sql.Connection connection, List<T> records, SqlStore.Checkpoint checkpoint,
                                java.util.function.Function<T, String> eventId, Row<T> row, String onConflict) throws SQLException {
        lockAppends(connection);
        checkpoint.save(connection);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_records (" + INSERTED + ") VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + onConflict)) {
            for (T record : records) {
                row.bind(ps, record);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        indexTimes(connection, records.stream().map(eventId).toList());
        return null;
    }

    /** A record of the batch is in the store already (its event id): the batch is a replay. */
    private static boolean appendedBefore(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && ("23505".equals(sql.getSQLState())
                    || String.valueOf(sql.getMessage()).contains("UNIQUE constraint failed: audit_records.event_id"))) {
                return true;
            }
            if (cause instanceof java.sql.BatchUpdateException batch && batch.getNextException() != null
                    && appendedBefore(batch.getNextException())) {
                return true;
            }
        }
        return false;
    }

    private <T> void appendKeepingIds(List<T> records, SqlStore.Checkpoint checkpoint,
                                      java.util.function.Function<T, String> eventId, Row<T> row) throws SQLException {
        java.util.Map<String, Long> ids = liveIds(records.stream().map(eventId).toList());
        boolean postgres = store.dialect() == SqlStore.Dialect.POSTGRESQL;
        store.write(connection -> {
            checkpoint.save(connection);
            List<String> kept = new ArrayList<>();
            boolean strays = false;
            try (PreparedStatement keeping = connection.prepareStatement("INSERT INTO audit_records (" + INSERTED + ", id)"
                    + (postgres ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (event_id) DO NOTHING")) {
                for (T record : records) {
                    Long id = ids.get(eventId.apply(record));
                    if (id == null) {
                        strays = true;
                        continue;
                    }
                    row.bind(keeping, record);
                    keeping.setLong(14, id);
                    keeping.addBatch();
                    kept.add(eventId.apply(record));
                }
                keeping.executeBatch();
            }
            if (strays) {
                try (PreparedStatement waiting = connection.prepareStatement("INSERT INTO audit_strays (" + INSERTED
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (T record : records) {
                        if (!ids.containsKey(eventId.apply(record))) {
                            row.bind(waiting, record);
                            waiting.addBatch();
                        }
                    }
                    waiting.executeBatch();
                }
            }
            indexTimes(connection, kept);
            return null;
        });
    }

    /** The live store's ids of these events. */
    private java.util.Map<String, Long> liveIds(List<String> eventIds) throws SQLException {
        return idsFrom.read(connection -> {
            java.util.Map<String, Long> ids = new java.util.HashMap<>();
            for (int from = 0; from < eventIds.size(); from += 500) {
                List<String> chunk = eventIds.subList(from, Math.min(eventIds.size(), from + 500));
                try (PreparedStatement ps = connection.prepareStatement(
                        "SELECT event_id, id FROM audit_records WHERE event_id IN (" + placeholders(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
            }
            return ids;
        });
    }

    /**
     * Gives the records the live store lacked their ids, and sets the identity's next value past the highest id. Runs
     * with the live store frozen. A record the live store has by now (its projector committed it after the copy read
     * it) takes the live id, which a client may have seen; the others take ids after every live and kept one, in
     * the order of their times. On PostgreSQL as the owner: the services' role may neither move a sequence nor empty
     * a table of this store.
     */
    public void placeStrays() throws SQLException {
        List<String> strays = store.read(connection -> {
            List<String> eventIds = new ArrayList<>();
            try (var st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT event_id FROM audit_strays ORDER BY occurred_at_us, event_id")) {
                while (rs.next()) {
                    eventIds.add(rs.getString(1));
                }
            }
            return eventIds;
        });
        java.util.Map<String, Long> live = liveIds(strays);
        long highest = Math.max(highestId(store), highestId(idsFrom));
        java.util.Map<String, Long> ids = new java.util.LinkedHashMap<>();
        for (String eventId : strays) {
            ids.put(eventId, live.containsKey(eventId) ? live.get(eventId) : ++highest);
        }
        long next = highest + 1;
        boolean postgres = store.dialect() == SqlStore.Dialect.POSTGRESQL;
        SqlStore.Work<Void> place = connection -> {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_records (" + INSERTED + ", id)"
                    + (postgres ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " + INSERTED + ", ? FROM audit_strays"
                    + " WHERE event_id = ? ON CONFLICT (event_id) DO NOTHING")) {
                for (var stray : ids.entrySet()) {
                    ps.setLong(1, stray.getValue());
                    ps.setString(2, stray.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (var st = connection.createStatement()) {
                st.execute("DELETE FROM audit_strays");
                if (postgres) {
                    st.execute("SELECT setval(pg_get_serial_sequence('audit_records', 'id'), " + next + ", false)");
                }
            }
            indexTimes(connection, strays);
            return null;
        };
        if (postgres) {
            store.writeAsOwner(place);
        } else {
            store.write(place);
        }
    }

    private static long highestId(SqlStore of) throws SQLException {
        return of.read(connection -> {
            try (var st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM audit_records")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Copies into the rebuild's copy, with their ids, the live records of failed and denied calls ({@code auth}) it
     * lacks: their topic keeps only days (the commands' retention), so the live store is their only full record.
     * Called while the copy replays and once more with the live store frozen; each call copies what came since.
     */
    public void copySecurityRecords() throws SQLException {
        boolean postgres = store.dialect() == SqlStore.Dialect.POSTGRESQL;
        long after = store.read(connection -> {
            try (var st = connection.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT COALESCE(MAX(id), 0) FROM audit_records WHERE resource_kind = 'auth'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        while (true) {
            long from = after;
            List<Object[]> rows = idsFrom.read(connection -> {
                List<Object[]> found = new ArrayList<>();
                try (PreparedStatement ps = connection.prepareStatement("SELECT " + INSERTED + ", id FROM audit_records"
                        + " WHERE resource_kind = 'auth' AND id > ? ORDER BY id LIMIT 5000")) {
                    ps.setLong(1, from);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Object[] row = new Object[14];
                            for (int i = 0; i < 14; i++) {
                                row[i] = rs.getObject(i + 1);
                            }
                            found.add(row);
                        }
                    }
                }
                return found;
            });
            if (rows.isEmpty()) {
                return;
            }
            store.write(connection -> {
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_records (" + INSERTED + ", id)"
                        + (postgres ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (event_id) DO NOTHING")) {
                    for (Object[] row : rows) {
                        for (int i = 0; i < row.length; i++) {
                            ps.setObject(i + 1, row[i]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                indexTimes(connection, rows.stream().map(row -> (String) row[0]).toList());
                return null;
            });
            after = ((Number) rows.getLast()[13]).longValue();
        }
    }

    /**
     * Makes ids visible in the order they were taken. PostgreSQL hands out sequence values at once but they become
     * visible at commit, so two appenders (projector instances sharing the partitions) could commit 7 after 8 and an
     * ascending cursor past 8 would never see 7. Holding this lock from before the first id to the commit orders them.
     * SQLite has one writer per file already.
     */
    private void lockAppends(java.sql.Connection connection) throws SQLException {
        if (store.dialect() == SqlStore.Dialect.POSTGRESQL) {
            try (var st = connection.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(hashtext('audit_records'))");
            }
        }
    }

    /** An event's changes with its kind's secrets redacted, also for events written before the decider redacted them. */
    private static tools.jackson.databind.node.ObjectNode redacted(EventEnvelope event) {
        return ResourceKinds.byName(event.resource().kind()).map(kind -> kind.secret().redacted(event.changes()))
                .orElse(event.changes());
    }

    /** One page: up to {@code limit} records, and whether more follow. */
    public record Page(List<AuditRecord> records, boolean more) {
    }

    public Page query(AuditQuery query) throws SQLException {
        return store.read(connection -> {
            List<Object> common = new ArrayList<>();
            StringBuilder where = new StringBuilder(" WHERE 1 = 1");
            if (query.actor() != null) {
                where.append(" AND actor = ?");
                common.add(query.actor());
            }
            // The time range's id bounds and the cursor make one id range: an index can bound a scan by one
            // condition each way, and with two the planner may take the looser.
            long lowest = Long.MIN_VALUE;
            long highest = Long.MAX_VALUE;
            if (query.since() != null) {
                Long from = TimeBuckets.lowestIdFrom(connection, micros(query.since()));
                if (from == null) {
                    return new Page(List.of(), false);
                }
                where.append(" AND occurred_at_us >= ?");
                common.add(micros(query.since()));
                lowest = from;
            }
            if (query.until() != null) {
                Long to = TimeBuckets.highestIdBefore(connection, micros(query.until()));
                if (to == null) {
                    return new Page(List.of(), false);
                }
                where.append(" AND occurred_at_us < ?");
                common.add(micros(query.until()));
                highest = to;
            }
            if (query.afterId() != null) {
                if (query.ascending()) {
                    lowest = Math.max(lowest, query.afterId() + 1);
                } else {
                    highest = Math.min(highest, query.afterId() - 1);
                }
            }
            if (lowest > highest) {
                return new Page(List.of(), false);
            }
            if (lowest != Long.MIN_VALUE) {
                where.append(" AND id >= ?");
                common.add(lowest);
            }
            if (highest != Long.MAX_VALUE) {
                where.append(" AND id <= ?");
                common.add(highest);
            }
            List<String[]> alternatives = alternatives(query);
            if (alternatives.isEmpty()) {
                return new Page(List.of(), false);
            }
            // An action names its kind: with a kind and no name, the kind's condition would only steer the planner
            // away from the action's index.
            boolean kindImplied = alternatives.stream().allMatch(alternative -> alternative != null && alternative[0].equals("action"));
            if (query.resourceKind() != null && (query.resourceName() != null || !kindImplied)) {
                where.append(" AND resource_kind = ?");
                common.add(query.resourceKind());
                if (query.resourceName() != null) {
                    where.append(" AND resource_name = ?");
                    common.add(query.resourceName());
                }
            }
            if (query.hidden() != null) {
                query.hidden().forEach((kind, names) -> {
                    where.append(" AND NOT (resource_kind = ? AND resource_name IN (").append(placeholders(names.size())).append("))");
                    common.add(kind);
                    common.addAll(names);
                });
            }
            String order = " ORDER BY id " + (query.ascending() ? "ASC" : "DESC") + " LIMIT ?";
            StringBuilder sql = new StringBuilder();
            List<Object> args = new ArrayList<>();
            for (String[] alternative : alternatives) {
                String one = "SELECT " + COLUMNS + " FROM audit_records" + where
                        + (alternative == null ? "" : " AND " + alternative[0] + " = ?") + order;
                if (alternatives.size() > 1) {
                    one = (sql.isEmpty() ? "" : " UNION ALL ") + "SELECT * FROM (" + one + ") a" + args.size();
                }
                sql.append(one);
                args.addAll(common);
                if (alternative != null) {
                    args.add(alternative[1]);
                }
                args.add(query.limit() + 1);
            }
            if (alternatives.size() > 1) {
                sql.append(order);
                args.add(query.limit() + 1);
            }
            try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<AuditRecord> records = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        records.add(map(rs));
                    }
                }
                boolean more = records.size() > query.limit();
                return new Page(more ? records.subList(0, query.limit()) : records, more);
            }
        });
    }

    /**
     * The action filter as alternatives, each one column equal to one value (null: no action filter), so each is an
     * index range in id order and several are merged by a union rather than read whole and sorted. A bare verb with a
     * kind is that kind's action; an action of another kind than the one asked for matches nothing; an action whose
     * verb is also asked for bare is left to the verb.
     */
    private static List<String[]> alternatives(AuditQuery query) {
        if (query.actions() == null || query.actions().isEmpty()) {
            java.util.ArrayList<String[]> none = new java.util.ArrayList<>();
            none.add(null);
            return none;
        }
        java.util.Set<String> bare = new java.util.LinkedHashSet<>();
        query.actions().stream().filter(a -> !a.contains(".")).forEach(bare::add);
        java.util.Map<String, String[]> alternatives = new java.util.LinkedHashMap<>();
        for (String action : query.actions()) {
            int dot = action.indexOf('.');
            if (dot < 0) {
                alternatives.put(action, query.resourceKind() == null ? new String[] {"verb", action}
                        : new String[] {"action", query.resourceKind() + "." + action});
            } else if ((query.resourceKind() == null || query.resourceKind().equals(action.substring(0, dot)))
                    && !(query.resourceKind() == null && bare.contains(action.substring(dot + 1)))) {
                alternatives.put(action, new String[] {"action", action});
            }
        }
        java.util.Map<String, String[]> distinct = new java.util.LinkedHashMap<>();
        alternatives.values().forEach(alternative -> distinct.putIfAbsent(alternative[0] + "=" + alternative[1], alternative));
        return new ArrayList<>(distinct.values());
    }

    /**
     * Brings the time index up to date with the records of {@code eventIds}, just appended (or appended before: a
     * record counted twice leaves its buckets as they were). On PostgreSQL a trigger does it (V2_1), so the services'
     * role cannot write the index. Looked up after the insert, so that the transaction starts with a write, which
     * SQLite waits for instead of failing when another writer went first.
     */
    private void indexTimes(java.sql.Connection connection, List<String> eventIds) throws SQLException {
        if (store.dialect() == SqlStore.Dialect.POSTGRESQL) {
            return;
        }
        java.util.Map<TimeBuckets.Bucket, long[]> ranges = new java.util.HashMap<>();
        for (int from = 0; from < eventIds.size(); from += 500) {
            List<String> chunk = eventIds.subList(from, Math.min(eventIds.size(), from + 500));
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT id, occurred_at_us FROM audit_records WHERE event_id IN (" + placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                collect(ps, ranges);
            }
        }
        TimeBuckets.save(connection, ranges);
    }

    private static void collect(PreparedStatement idsAndTimes, java.util.Map<TimeBuckets.Bucket, long[]> ranges) throws SQLException {
        try (ResultSet rs = idsAndTimes.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                for (TimeBuckets.Bucket bucket : TimeBuckets.of(rs.getLong(2))) {
                    ranges.merge(bucket, new long[] {id, id}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                }
            }
        }
    }

    private static AuditRecord map(ResultSet rs) throws SQLException {
        return new AuditRecord(
                rs.getLong("id"),
                rs.getString("event_id"),
                Instant.EPOCH.plus(rs.getLong("occurred_at_us"), ChronoUnit.MICROS),
                rs.getString("actor"),
                rs.getString("action"),
                new ResourceRef(rs.getString("resource_kind"), rs.getString("resource_name")),
                rs.getLong("version"),
                rs.getString("command_id"),
                new RequestContext(rs.getString("request_id"), rs.getString("source_ip"), rs.getString("user_agent")),
                EventVersions.currentChanges(rs.getString("action"), Envelopes.MAPPER.readTree(rs.getString("changes"))));
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }
}
