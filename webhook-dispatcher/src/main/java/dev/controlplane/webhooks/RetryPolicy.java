package dev.controlplane.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a delivery again: the schedule's delay for the attempt that comes next, varied by the jitter, but
 * never before what the receiver asked for in {@code Retry-After}. Pure, so it is tested without a clock.
 *
 * @param schedule the delay before each attempt (the first is usually 0); its length is the number of attempts
 */
record RetryPolicy(List<Duration> schedule, double jitter, DoubleSupplier random) {

    int maxAttempts() {
        return schedule.size();
    }

    /** The time of attempt number {@code attempt} (1-based), or empty when there is none. */
    Optional<Instant> next(int attempt, Instant now, Optional<Duration> retryAfter) {
        if (attempt > schedule.size()) {
            return Optional.empty();
        }
        long base = schedule.get(attempt - 1).toMillis();
        long varied = Math.round(base * (1 + jitter * (2 * random.getAsDouble() - 1)));
        long delay = Math.max(varied, retryAfter.map(Duration::toMillis).orElse(0L));
        return Optional.of(now.plusMillis(delay));
    }

    /** {@code Retry-After} as seconds or an HTTP date; empty when absent or unreadable. */
    static Optional<Duration> retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip()))));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(Duration.between(now, at).isNegative() ? Duration.ZERO : Duration.between(now, at));
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        }
    }
}
