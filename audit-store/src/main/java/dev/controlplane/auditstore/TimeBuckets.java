package dev.controlplane.auditstore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The audit store's time index ({@code audit_time_index}): per minute, hour and day of {@code occurred_at}, the lowest
 * and highest id of its records. Pages follow ids, and ids only roughly follow time (a partition that lags appends
 * older events later), so a time filter is answered as an id range that holds every record of the time range, with
 * the time condition kept as well: a bound is read from at most a day's minutes, a day's hours and the days.
 */
final class TimeBuckets {

    static final long MINUTE = 60_000_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    record Bucket(int level, long bucket) {
    }

    private TimeBuckets() {
    }

    /** The minute, hour and day of a record's time, in microseconds. */
    static List<Bucket> of(long micros) {
        return List.of(new Bucket(0, Math.floorDiv(micros, MINUTE)), new Bucket(1, Math.floorDiv(micros, HOUR)),
                new Bucket(2, Math.floorDiv(micros, DAY)));
    }

    static void save(Connection connection, Map<Bucket, long[]> ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO audit_time_index (level, bucket, min_id, max_id)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (level, bucket) DO UPDATE SET"
                + " min_id = CASE WHEN excluded.min_id < audit_time_index.min_id THEN excluded.min_id ELSE audit_time_index.min_id END,"
                + " max_id = CASE WHEN excluded.max_id > audit_time_index.max_id THEN excluded.max_id ELSE audit_time_index.max_id END")) {
            for (var entry : ranges.entrySet()) {
                ps.setInt(1, entry.getKey().level());
                ps.setLong(2, entry.getKey().bucket());
                ps.setLong(3, entry.getValue()[0]);
                ps.setLong(4, entry.getValue()[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The lowest id of any record at or after {@code since}, or null when there is none. */
    static Long lowestIdFrom(Connection connection, long since) throws SQLException {
        long minute = Math.floorDiv(since, MINUTE);
        long hour = Math.floorDiv(since, HOUR);
        long day = Math.floorDiv(since, DAY);
        // The rest of since's hour by minute, the rest of its day by hour, then every later day.
        return bound(connection, "MIN(min_id)", "(level = 0 AND bucket >= ? AND bucket < ?) OR (level = 1 AND bucket > ? AND bucket < ?)"
                + " OR (level = 2 AND bucket > ?)", minute, (hour + 1) * (HOUR / MINUTE), hour, (day + 1) * (DAY / HOUR), day);
    }

    /** The highest id of any record before {@code until}, or null when there is none. */
    static Long highestIdBefore(Connection connection, long until) throws SQLException {
        long last = until - 1;
        long minute = Math.floorDiv(last, MINUTE);
        long hour = Math.floorDiv(last, HOUR);
        long day = Math.floorDiv(last, DAY);
        return bound(connection, "MAX(max_id)", "(level = 0 AND bucket >= ? AND bucket <= ?) OR (level = 1 AND bucket >= ? AND bucket < ?)"
                + " OR (level = 2 AND bucket < ?)", hour * (HOUR / MINUTE), minute, day * (DAY / HOUR), hour, day);
    }

    private static Long bound(Connection connection, String aggregate, String where, long... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + aggregate + " FROM audit_time_index WHERE " + where)) {
            for (int i = 0; i < args.length; i++) {
                ps.setLong(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? null : value;
            }
        }
    }
}
