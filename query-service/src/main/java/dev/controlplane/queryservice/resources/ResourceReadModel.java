package dev.controlplane.queryservice.resources;

import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/** Current state per resource. An event at or below a row's version is a no-op, so replays change nothing. */
public final class ResourceReadModel {

    /** One resource as the read model holds it. */
    public record Row(String kind, String name, long version, String status, ObjectNode data) {
    }

    private final SqlStore store;

    public ResourceReadModel(SqlStore store) {
        this.store = store;
        store.migrate();
    }

    public void apply(List<EventEnvelope> events, SqlStore.Checkpoint checkpoint) throws SQLException {
        store.write(connection -> {
            checkpoint.save(connection);
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO resources (kind, name, version, status, "
                    + "data, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET "
                    + "version = excluded.version, status = excluded.status, data = excluded.data, "
                    + "updated_at = excluded.updated_at WHERE excluded.version > resources.version")) {
                // One row per resource and statement: a multi-row upsert may not touch a row twice, and only the newest counts.
                java.util.Map<dev.controlplane.schemas.ResourceRef, EventEnvelope> newest = new java.util.LinkedHashMap<>();
                for (EventEnvelope event : events) {
                    newest.merge(event.resource(), event, (a, b) -> b.sequence() > a.sequence() ? b : a);
                }
                for (EventEnvelope event : newest.values()) {
                    ps.setString(1, event.resource().kind());
                    ps.setString(2, event.resource().name());
                    ps.setLong(3, event.sequence());
                    ps.setString(4, event.data().path("status").asString("active"));
                    ps.setString(5, Envelopes.MAPPER.writeValueAsString(event.data()));
                    ps.setString(6, event.occurredAt().toString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    public Optional<Row> find(String kind, String name) throws SQLException {
        return store.read(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT kind, name, version, status, data FROM resources WHERE kind = ? AND name = ?")) {
                ps.setString(1, kind);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Resources of a kind in name order after {@code afterName}; one more than {@code limit} tells if more follow. */
    public List<Row> list(String kind, boolean includeInactive, String afterName, int limit) throws SQLException {
        String sql = "SELECT kind, name, version, status, data FROM resources WHERE kind = ?"
                + (includeInactive ? "" : " AND status = 'active'")
                + (afterName == null ? "" : " AND name > ?")
                + " ORDER BY name LIMIT ?";
        return store.read(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, kind);
                if (afterName != null) {
                    ps.setString(i++, afterName);
                }
                ps.setInt(i, limit + 1);
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(map(rs));
                    }
                }
                return rows;
            }
        });
    }

    private static Row map(ResultSet rs) throws SQLException {
        return new Row(rs.getString("kind"), rs.getString("name"), rs.getLong("version"), rs.getString("status"),
                (ObjectNode) Envelopes.MAPPER.readTree(rs.getString("data")));
    }

}
