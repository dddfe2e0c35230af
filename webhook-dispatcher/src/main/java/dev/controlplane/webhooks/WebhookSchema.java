package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The dispatchers' shared store: its tables, created or brought up to date by whichever class opens it first. */
final class WebhookSchema {

    private WebhookSchema() {
    }

    static void migrate(SqlStore store) {
        store.migrate();
    }

    static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    static Long nullableLong(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
