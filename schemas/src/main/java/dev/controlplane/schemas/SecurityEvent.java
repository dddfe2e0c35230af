package dev.controlplane.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Failed authentications ({@code auth.failed}) or denied calls ({@code auth.denied}) from one address by one
 * presented identity in one window, as they travel on {@link Topics#SECURITY_EVENTS} to the audit store. A flood
 * of bad tokens becomes one record per address and window, with a count; never a secret, never a hash of one.
 *
 * @param actor     the identity the credential named ({@code token:ci}), or {@code anonymous}
 * @param reasons   how many times each reason was given
 * @param endpoints the first few endpoints called ({@code GET /api/v1/tenants})
 */
public record SecurityEvent(
        UUID id,
        String type,
        int schemaVersion,
        Instant windowStart,
        long windowSeconds,
        String actor,
        String sourceIp,
        long count,
        Map<String, Long> reasons,
        List<String> endpoints) {

    public static final int CURRENT_SCHEMA_VERSION = 1;
    public static final String FAILED = "auth.failed";
    public static final String DENIED = "auth.denied";
}
