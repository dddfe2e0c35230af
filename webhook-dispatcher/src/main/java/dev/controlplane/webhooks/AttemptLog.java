package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The attempt log: each subscription's deliveries, newest first, and each delivery's attempts. */
final class AttemptLog {

    private final SqlStore store;

    AttemptLog(SqlStore store) {
        this.store = store;
        WebhookSchema.migrate(store);
    }

    /** A page of a subscription's deliveries, newest first, with their attempts. */
    List<Delivery> deliveries(String subscription, String status, Instant since, Instant until, Long beforeId, int limit)
            throws SQLException {
        return store.read(connection -> {
            StringBuilder sql = new StringBuilder("SELECT " + Delivery.COLUMNS + " FROM deliveries WHERE subscription = ?");
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
                return Delivery.all(select);
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
}
