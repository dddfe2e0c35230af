package dev.controlplane.schemas;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Command ids are UUIDv7 (RFC 9562): the first 48 bits are the millisecond they were issued, so any instance can find
 * a command's result on {@link Topics#COMMAND_RESULTS} by seeking to that time instead of remembering every result.
 */
public final class CommandIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private CommandIds() {
    }

    public static UUID next() {
        return at(System.currentTimeMillis());
    }

    static UUID at(long epochMillis) {
        long random = RANDOM.nextLong();
        long high = (epochMillis << 16) | 0x7000L | (random >>> 52);
        long low = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }

    /** When a version-7 id was issued; empty for any other id (commands from before ids carried their time). */
    public static java.util.Optional<Instant> issuedAt(UUID id) {
        return id.version() == 7 ? java.util.Optional.of(Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16))
                : java.util.Optional.empty();
    }
}
