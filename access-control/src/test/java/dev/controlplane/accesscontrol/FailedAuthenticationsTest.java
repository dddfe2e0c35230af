package dev.controlplane.accesscontrol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FailedAuthenticationsTest {

    private static final String ADDRESS = "192.0.2.10";
    private static final String OTHER_ADDRESS = "192.0.2.20";
    private static final Duration LOCKOUT = Duration.ofMinutes(30);
    private static final Duration FORGET_AFTER = Duration.ofHours(2);

    /** A clock that moves only when told to. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FailedAuthentications failures = new FailedAuthentications(() -> 5, LOCKOUT, FORGET_AFTER, clock);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(failures.failed(ADDRESS)).as("failure %d locks", i + 1).isFalse();
        }
    }

    @Test
    void fourFailures_doNotLock() {
        fail(4);

        assertThat(failures.lockedFor(ADDRESS)).isZero();
    }

    @Test
    void theFifthFailure_locksForTheLockout_countingDown() {
        fail(4);

        assertThat(failures.failed(ADDRESS)).isTrue();
        assertThat(failures.lockedFor(ADDRESS)).isEqualTo(LOCKOUT);

        clock.advance(Duration.ofMinutes(1));
        assertThat(failures.lockedFor(ADDRESS)).isEqualTo(Duration.ofMinutes(29));
    }

    @Test
    void aLockout_concernsOnlyItsAddress() {
        fail(4);
        failures.failed(ADDRESS);

        assertThat(failures.lockedFor(OTHER_ADDRESS)).isZero();
        assertThat(failures.failed(OTHER_ADDRESS)).isFalse();
    }

    @Test
    void afterTheLockout_theAddressIsUnlocked_andCountingStartsOver() {
        fail(4);
        failures.failed(ADDRESS);

        clock.advance(LOCKOUT);

        assertThat(failures.lockedFor(ADDRESS)).isZero();
        fail(4);
        assertThat(failures.failed(ADDRESS)).isTrue();
    }

    @Test
    void failuresOfAnAddressIdleForLongerThanForgetAfter_areForgotten() {
        fail(4);

        clock.advance(FORGET_AFTER.plusMinutes(1));

        assertThat(failures.failed(ADDRESS)).isFalse();
        assertThat(failures.lockedFor(ADDRESS)).isZero();
        fail(3);
        assertThat(failures.failed(ADDRESS)).as("the fifth failure since they were forgotten").isTrue();
    }

    @Test
    void failuresLessThanForgetAfterApart_addUp() {
        fail(4);

        clock.advance(FORGET_AFTER.minusMinutes(1));

        assertThat(failures.failed(ADDRESS)).isTrue();
    }

    @Test
    void anAddressIdleForLongerThanForgetAfter_isNoLongerTracked() {
        failures.failed(ADDRESS);
        clock.advance(Duration.ofHours(1));
        failures.failed(OTHER_ADDRESS);
        assertThat(failures.tracked()).isEqualTo(2);

        clock.advance(Duration.ofHours(1).plusMinutes(1));

        assertThat(failures.tracked()).as("only the address seen an hour and a minute ago").isEqualTo(1);
    }

    @Test
    void idleAddresses_areSweptAtMostOnceAMinute() {
        failures.failed(ADDRESS);
        clock.advance(FORGET_AFTER);
        assertThat(failures.tracked()).as("idle for exactly forgetAfter: kept").isEqualTo(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(failures.tracked()).as("idle too long, but swept 30 s ago").isEqualTo(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(failures.tracked()).as("a minute after the last sweep").isZero();
    }
}
