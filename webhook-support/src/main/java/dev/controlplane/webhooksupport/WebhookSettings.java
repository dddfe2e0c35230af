package dev.controlplane.webhooksupport;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhooks, {@code admin.webhooks.*}.
 *
 * @param secretKey              base64 of 32 bytes sealing signing secrets in the log (standalone generates one)
 * @param allowedPrivateTargets  address ranges a target may resolve to although private (e.g. 127.0.0.0/8)
 * @param secretRotationOverlap  how long a rotated-out secret still signs deliveries
 * @param retrySchedule          the delay before each attempt; its length is the number of attempts
 * @param jitter                 each delay varies by up to this fraction either way
 * @param attemptTimeout         bounds connecting and reading the answer of one attempt
 * @param disableAfter           a subscription failing without a success for this long is disabled
 * @param workers                deliveries in flight at once
 * @param storeUrl               the dispatcher's JDBC URL (deliveries and attempts), shared by every dispatcher instance
 * @param instanceId             this dispatcher among those sharing the store (default: generated at start); a
 *                               delivery being sent is leased to one instance
 */
@ConfigurationProperties("admin.webhooks")
public record WebhookSettings(
        String secretKey,
        @DefaultValue List<String> allowedPrivateTargets,
        @DefaultValue("24h") Duration secretRotationOverlap,
        @DefaultValue({"0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"}) List<Duration> retrySchedule,
        @DefaultValue("0.2") double jitter,
        @DefaultValue("10s") Duration attemptTimeout,
        @DefaultValue("5d") Duration disableAfter,
        @DefaultValue("16") int workers,
        @DefaultValue("jdbc:sqlite:webhooks.db") String storeUrl,
        String instanceId) {

    public WebhookSettings {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = "dispatcher-" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(4));
        }
    }

    /**
     * How long a dispatcher holds a delivery it is sending: longer than an attempt can take (connect, then read, each
     * bounded by the attempt timeout; an attempt still under way near the lease's end is cut off), so no two
     * dispatchers attempt one delivery at once, yet a dispatcher that died holds its deliveries only this long.
     */
    public java.time.Duration lease() {
        return attemptTimeout.multipliedBy(3).plusSeconds(10);
    }

    public TargetGuard guard() {
        return new TargetGuard(allowedPrivateTargets);
    }

    public SecretBox secretBox() {
        if (secretKey == null || secretKey.isBlank()) {
            throw new IllegalStateException("admin.webhooks.secret-key is not set: webhook secrets cannot be sealed");
        }
        return new SecretBox(secretKey);
    }
}
