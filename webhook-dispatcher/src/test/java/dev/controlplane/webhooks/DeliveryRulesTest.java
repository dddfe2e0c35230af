package dev.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.standardwebhooks.Webhook;
import dev.controlplane.webhooksupport.SecretBox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure rules of delivery: which events match a filter, when to retry, how a delivery is signed. */
class DeliveryRulesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void filters_matchExactTypes_kindWildcards_verbWildcards_andEverything() {
        assertThat(EventFilters.matches("tenant.created", "tenant.created")).isTrue();
        assertThat(EventFilters.matches("tenant.*", "tenant.deactivated")).isTrue();
        assertThat(EventFilters.matches("*.deactivated", "access_policy.deactivated")).isTrue();
        assertThat(EventFilters.matches("*", "user.updated")).isTrue();
        assertThat(EventFilters.matches("tenant.*", "tenants.created")).isFalse();
        assertThat(EventFilters.matches("*.created", "tenant.updated")).isFalse();
    }

    @Test
    void theDefaultSchedule_isEightAttempts_eachDelayVariedByTheJitter() {
        List<Duration> schedule = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
        RetryPolicy lowest = new RetryPolicy(schedule, 0.2, () -> 0.0);
        RetryPolicy highest = new RetryPolicy(schedule, 0.2, () -> 1.0);

        assertThat(lowest.next(1, NOW, Optional.empty())).contains(NOW);
        assertThat(lowest.next(3, NOW, Optional.empty())).contains(NOW.plusSeconds(240));
        assertThat(highest.next(3, NOW, Optional.empty())).contains(NOW.plusSeconds(360));
        assertThat(lowest.next(8, NOW, Optional.empty())).contains(NOW.plus(Duration.ofHours(8)));
        assertThat(lowest.next(9, NOW, Optional.empty())).isEmpty();
    }

    @Test
    void retryAfter_winsWhenItIsLater_inSecondsOrAsADate() {
        RetryPolicy policy = new RetryPolicy(List.of(Duration.ZERO, Duration.ofSeconds(5)), 0, () -> 0.5);

        assertThat(policy.next(2, NOW, RetryPolicy.retryAfter("60", NOW))).contains(NOW.plusSeconds(60));
        assertThat(policy.next(2, NOW, RetryPolicy.retryAfter("1", NOW))).contains(NOW.plusSeconds(5));
        assertThat(RetryPolicy.retryAfter("Thu, 01 Jan 2026 00:02:00 GMT", NOW)).contains(Duration.ofMinutes(2));
        assertThat(RetryPolicy.retryAfter("soon", NOW)).isEmpty();
    }

    @Test
    void signatures_verifyWithTheOfficialLibrary_withEitherSecretDuringARotation() {
        String current = SecretBox.newSigningSecret();
        String previous = SecretBox.newSigningSecret();
        String body = "{\"type\":\"tenant.created\"}";
        long timestamp = Instant.now().getEpochSecond();
        String header = Signatures.header(List.of(current, previous), "evt-1", timestamp, body);
        Map<String, List<String>> headers = Map.of("webhook-id", List.of("evt-1"),
                "webhook-timestamp", List.of(String.valueOf(timestamp)), "webhook-signature", List.of(header));

        assertThatCode(() -> new Webhook(current).verify(body, headers)).doesNotThrowAnyException();
        assertThatCode(() -> new Webhook(previous).verify(body, headers)).doesNotThrowAnyException();
        assertThat(header.split(" ")).hasSize(2);
    }

    @Test
    void oneKey_signsOnManyThreadsAtOnce_asItDoesOnOne() throws Exception {
        Signatures.Key key = new Signatures.Key(SecretBox.newSigningSecret());
        List<byte[]> bodies = java.util.stream.IntStream.range(0, 64)
                .mapToObj(i -> ("{\"n\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
        List<String> alone = bodies.stream().map(body -> key.sign("evt", 1, body)).toList();

        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<String>> together = bodies.stream()
                    .map(body -> pool.submit(() -> key.sign("evt", 1, body))).toList();
            for (int i = 0; i < bodies.size(); i++) {
                assertThat(together.get(i).get()).isEqualTo(alone.get(i));
            }
        }
    }

    @Test
    void aSecretThatIsNotBase64_isRefused_withoutAnyOfItInTheMessage() {
        assertThatCode(() -> new Signatures.Key("whsec_s3cr3t-!"))
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("-").doesNotContain("!").doesNotContain("s3cr3t"))
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    @Test
    void claimsAhead_asManyAsTheWorkersGetThroughInASecond_betweenTwiceAndEightTimesTheirNumber() {
        assertThat(DeliverySender.claimLimit(16, 0)).as("before any attempt").isEqualTo(32);
        assertThat(DeliverySender.claimLimit(16, 1)).as("a fast receiver").isEqualTo(128);
        assertThat(DeliverySender.claimLimit(16, 250)).isEqualTo(64);
        assertThat(DeliverySender.claimLimit(16, 10_000)).as("a receiver at its timeout").isEqualTo(32);
    }

    @Test
    void sealedSecrets_openOnlyWithTheirKey() {
        SecretBox box = new SecretBox(SecretBox.newKey());
        String secret = SecretBox.newSigningSecret();
        String sealed = box.seal(secret);

        assertThat(sealed).startsWith("v1:").doesNotContain(secret.substring(6));
        assertThat(box.open(sealed)).isEqualTo(secret);
        assertThatCode(() -> new SecretBox(SecretBox.newKey()).open(sealed)).isInstanceOf(IllegalStateException.class);
    }
}
