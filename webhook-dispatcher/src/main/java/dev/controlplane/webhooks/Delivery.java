package dev.controlplane.webhooks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A delivery due for an attempt. */
/** @param leaseUntilMs the claim this copy was taken under (null when not claimed): outcomes are fenced by it */
record Delivery(long id, String subscription, String eventId, String eventType, String payload, String status,
                int attempts, Long nextAttemptAtMs, long createdAtMs, Long leaseUntilMs) {

    /** The rows {@code select} returns, as deliveries. */
    static List<Delivery> all(PreparedStatement select) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                deliveries.add(new Delivery(rows.getLong("id"), rows.getString("subscription"), rows.getString("event_id"),
                        rows.getString("event_type"), rows.getString("payload"), rows.getString("status"), rows.getInt("attempts"),
                        WebhookSchema.nullableLong(rows, "next_attempt_at_ms"), rows.getLong("created_at_ms"),
                        WebhookSchema.nullableLong(rows, "lease_until_ms")));
            }
        }
        return deliveries;
    }
}
