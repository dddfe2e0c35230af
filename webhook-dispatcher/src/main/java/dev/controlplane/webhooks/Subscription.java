package dev.controlplane.webhooks;

import dev.controlplane.schemas.Envelopes;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A subscription as the dispatcher needs it. */
record Subscription(String name, long version, String status, String url, List<String> events, String secretSealed,
                    String previousSecretSealed, Long previousSecretExpiresAtMs, long createdAtMs,
                    Long lastSuccessAtMs, Long failingSinceMs, String disabledFor) {
    boolean active() {
        return status.equals("active");
    }

    /** A row of {@code subscriptions}. */
    static Subscription of(ResultSet row) throws SQLException {
        List<String> events = new ArrayList<>();
        Envelopes.MAPPER.readTree(row.getString("events")).forEach(filter -> events.add(filter.asString()));
        return new Subscription(row.getString("name"), row.getLong("version"), row.getString("status"), row.getString("url"),
                events, row.getString("secret_sealed"), row.getString("previous_secret_sealed"),
                WebhookSchema.nullableLong(row, "previous_secret_expires_at_ms"), row.getLong("created_at_ms"),
                WebhookSchema.nullableLong(row, "last_success_at_ms"), WebhookSchema.nullableLong(row, "failing_since_ms"),
                row.getString("disabled_for"));
    }
}
