package dev.controlplane.accesscontrol;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Counts failed authentications per client address: after {@code max} failures the address is refused for the
 * lockout; an address idle for {@code forgetAfter} is forgotten. Kept per instance, in memory: behind a load
 * balancer each instance locks an attacker out on its own, after at most {@code max} tries there.
 */
final class FailedAuthentications {

    private record Entry(int failures, Instant lockedUntil, Instant lastSeen) {
    }

    private static final int MAX_TRACKED = 100_000;

    private final Map<String, Entry> addresses = new ConcurrentHashMap<>();
    private final IntSupplier max;
    private final Duration lockout;
    private final Duration forgetAfter;
    private final Clock clock;
    private volatile Instant lastSweep;

    FailedAuthentications(IntSupplier max, Duration lockout, Duration forgetAfter, Clock clock) {
        this.max = max;
        this.lockout = lockout;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
        this.lastSweep = clock.instant();
    }

    /** How long {@code address} is still refused; zero when it is not. */
    Duration lockedFor(String address) {
        Instant now = clock.instant();
        sweep(now);
        Entry entry = addresses.get(address);
        if (entry == null || entry.lockedUntil() == null || !entry.lockedUntil().isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(now, entry.lockedUntil());
    }

    /** Records one failure; true when it locks the address out. */
    boolean failed(String address) {
        Instant now = clock.instant();
        if (addresses.size() >= MAX_TRACKED && !addresses.containsKey(address)) {
            // Bounded memory under a spray from many addresses: forget those not locked out first.
            addresses.entrySet().removeIf(e -> e.getValue().lockedUntil() == null || !e.getValue().lockedUntil().isAfter(now));
        }
        Entry entry = addresses.compute(address, (key, old) -> {
            boolean forgotten = old == null || old.lastSeen().plus(forgetAfter).isBefore(now)
                    || (old.lockedUntil() != null && !old.lockedUntil().isAfter(now));
            int failures = (forgotten ? 0 : old.failures()) + 1;
            Instant lockedUntil = failures >= max.getAsInt() ? now.plus(lockout) : null;
            return new Entry(failures, lockedUntil, now);
        });
        return entry.lockedUntil() != null;
    }

    int tracked() {
        sweep(clock.instant());
        return addresses.size();
    }

    private void sweep(Instant now) {
        if (lastSweep.plusSeconds(60).isAfter(now)) {
            return;
        }
        lastSweep = now;
        addresses.entrySet().removeIf(e -> e.getValue().lastSeen().plus(forgetAfter).isBefore(now)
                && (e.getValue().lockedUntil() == null || !e.getValue().lockedUntil().isAfter(now)));
    }
}
