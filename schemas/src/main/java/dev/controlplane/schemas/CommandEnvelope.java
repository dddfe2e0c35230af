package dev.controlplane.schemas;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request to change one resource, as it travels on {@link Topics#COMMANDS}.
 *
 * @param id              this request's own id (time-ordered, UUIDv7): its result is keyed by it
 * @param type            the stable wire name, {@code <kind>.<verb>} (see {@link CommandTypes})
 * @param expectedVersion null for create
 * @param requestHash     a digest of the request, so a reused idempotency key with another body is refused
 * @param payload         the validated request body: only the fields a client may set (a merge patch for patch)
 * @param force           true when the caller allows a deactivation others depend on; absent means false
 * @param idempotencyKey  the caller's {@code Idempotency-Key}, scoped to the caller (a digest, never the key itself);
 *                        such commands travel through {@link Topics#IDEMPOTENT_COMMANDS}, where a key is claimed by
 *                        its first resource and request, and every retry is answered with the first outcome
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
        Boolean force,
        String idempotencyKey) {

    public static final int CURRENT_SCHEMA_VERSION = 1;

    /** A command sent without an {@code Idempotency-Key}. */
    public CommandEnvelope(UUID id, String type, int schemaVersion, ResourceRef resource, ExpectedVersion expectedVersion,
                           String actor, RequestContext request, Instant issuedAt, String requestHash, ObjectNode payload,
                           Boolean force) {
        this(id, type, schemaVersion, resource, expectedVersion, actor, request, issuedAt, requestHash, payload, force, null);
    }

    /** Where the command is sent: keyed commands are claimed first, the rest go straight to their resource's writer. */
    public String topic() {
        return idempotencyKey == null ? Topics.COMMANDS : Topics.IDEMPOTENT_COMMANDS;
    }

    /** The record key on {@link #topic()}: the resource on the command topic, the key on the claim topic. */
    public String partitionKey() {
        return idempotencyKey == null ? resource.key() : idempotencyKey;
    }

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }
}
