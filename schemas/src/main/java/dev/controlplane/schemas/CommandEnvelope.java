package dev.controlplane.schemas;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request to change one resource, as it travels on {@link Topics#COMMANDS}.
 *
 * @param id              also the idempotency key: a command id decided once is answered from that decision
 * @param type            the stable wire name, {@code <kind>.<verb>} (see {@link CommandTypes})
 * @param expectedVersion null for create
 * @param requestHash     a digest of the request, so a reused idempotency key with another body is refused
 * @param payload         the validated request body: only the fields a client may set (a merge patch for patch)
 * @param force           true when the caller allows a deactivation others depend on; absent means false
 */
public record CommandEnvelope(
        UUID id,
        String type,
        int schemaVersion,
        ResourceRef resource,
        ExpectedVersion expectedVersion,
        String actor,
        RequestContext request,
        Instant issuedAt,
        String requestHash,
        ObjectNode payload,
        Boolean force) {

    public static final int CURRENT_SCHEMA_VERSION = 1;

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }
}
