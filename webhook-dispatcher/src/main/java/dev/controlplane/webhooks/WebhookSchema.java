package dev.controlplane.webhooks;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The dispatchers' shared store: its tables, created or brought up to date by whichever class opens it first. */
final class WebhookSchema {

    private WebhookSchema() {
    }

    static void migrate(SqlStore store) {
        store.migrate("webhooks", List.of("V1__webhooks.sql", "V2__leases.sql"));
    }

    static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
