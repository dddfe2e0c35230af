package dev.controlplane.auditstore;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Envelopes;
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

    private final SqlStore store;

    public AuditStore(SqlStore store) {
        this.store = store;
        store.migrate();
    }

    /** Appends one record per event in one transaction; events already recorded are skipped. */
    public void append(List<EventEnvelope> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        store.write(connection -> {
            lockAppends(connection);
            checkpoint.save(connection);
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_records (event_id, occurred_at_us, "
                    + "actor, action, verb, resource_kind, resource_name, version, command_id, request_id, source_ip, "
                    + "user_agent, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
                for (EventEnvelope event : events) {
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
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
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

    /**
     * Appends one record per security event (a window's failed or denied calls from one address): action
     * {@code auth.failed} or {@code auth.denied}, resource {@code auth/<address>}, {@code version} the count, and in
     * {@code changes} the count, the reasons and the endpoints. Idempotent by the event's id.
     */
    public void appendSecurity(List<SecurityEvent> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        store.write(connection -> {
            lockAppends(connection);
            checkpoint.save(connection);
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_records (event_id, occurred_at_us, "
                    + "actor, action, verb, resource_kind, resource_name, version, command_id, request_id, source_ip, "
                    + "user_agent, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
                for (SecurityEvent event : events) {
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
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** One page: up to {@code limit} records, and whether more follow. */
    public record Page(List<AuditRecord> records, boolean more) {
    }

    public Page query(AuditQuery query) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_records WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.actor() != null) {
            sql.append(" AND actor = ?");
            args.add(query.actor());
        }
        if (query.actions() != null && !query.actions().isEmpty()) {
            List<String> qualified = query.actions().stream().filter(a -> a.contains(".")).toList();
            List<String> bare = query.actions().stream().filter(a -> !a.contains(".")).toList();
            List<String> alternatives = new ArrayList<>();
            if (!qualified.isEmpty()) {
                alternatives.add("action IN (" + placeholders(qualified.size()) + ")");
                args.addAll(qualified);
            }
            if (!bare.isEmpty()) {
                alternatives.add("verb IN (" + placeholders(bare.size()) + ")");
                args.addAll(bare);
            }
            sql.append(" AND (").append(String.join(" OR ", alternatives)).append(")");
        }
        if (query.since() != null) {
            sql.append(" AND occurred_at_us >= ?");
            args.add(micros(query.since()));
        }
        if (query.until() != null) {
            sql.append(" AND occurred_at_us < ?");
            args.add(micros(query.until()));
        }
        if (query.resourceKind() != null) {
            sql.append(" AND resource_kind = ?");
            args.add(query.resourceKind());
            if (query.resourceName() != null) {
                sql.append(" AND resource_name = ?");
                args.add(query.resourceName());
            }
        }
        if (query.hidden() != null) {
            query.hidden().forEach((kind, names) -> {
                sql.append(" AND NOT (resource_kind = ? AND resource_name IN (").append(placeholders(names.size())).append("))");
                args.add(kind);
                args.addAll(names);
            });
        }
        if (query.afterId() != null) {
            sql.append(query.ascending() ? " AND id > ?" : " AND id < ?");
            args.add(query.afterId());
        }
        sql.append(" ORDER BY id ").append(query.ascending() ? "ASC" : "DESC").append(" LIMIT ?");
        args.add(query.limit() + 1);
        return store.read(connection -> {
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
                Envelopes.MAPPER.readTree(rs.getString("changes")));
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }
}
