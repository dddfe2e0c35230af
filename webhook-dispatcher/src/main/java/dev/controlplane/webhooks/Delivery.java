package dev.controlplane.webhooks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A delivery due for an attempt.
 *
 * @param payload      the body to send, as the UTF-8 bytes the store holds: read as they are, not decoded into a
 *                     string only to be encoded again for the request and its signature
 * @param leaseUntilMs the claim this copy was taken under (null when not claimed): outcomes are fenced by it
 */
record Delivery(long id, String subscription, String eventId, String eventType, byte[] payload, String status,
                int attempts, Long nextAttemptAtMs, long createdAtMs, Long leaseUntilMs) {

    /** What a statement read by {@link #all} selects (or returns), in this order: read by position, not looked up by name per row. */
    static final String COLUMNS =
            "id, subscription, event_id, event_type, payload, status, attempts, next_attempt_at_ms, created_at_ms, lease_until_ms";

    /** The rows {@code select} returns, as deliveries; it selects {@link #COLUMNS}. */
    static List<Delivery> all(PreparedStatement select) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                deliveries.add(new Delivery(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                        rows.getBytes(5), rows.getString(6), rows.getInt(7), WebhookSchema.nullableLong(rows, 8),
                        rows.getLong(9), WebhookSchema.nullableLong(rows, 10)));
            }
        }
        return deliveries;
    }
}
