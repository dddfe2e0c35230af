package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandIds;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds command envelopes from HTTP requests. Every request is its own command, with a new time-ordered id. With an
 * {@code Idempotency-Key} the command also carries that key scoped to the caller: the processor claims the key for
 * the first request's resource and body, answers every retry with the first outcome, and refuses the key elsewhere.
 */
final class CommandFactory {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /**
     * @param command        this request's command id
     * @param idempotencyKey the caller-scoped digest of its Idempotency-Key, or null
     */
    record Ids(UUID command, String idempotencyKey) {

        /** What issued secrets are derived from: the same for every retry with one key, so a retry shows the same secret. */
        UUID secretSeed() {
            return idempotencyKey == null ? command : UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8));
        }
    }

    private CommandFactory() {
    }

    static CommandEnvelope command(HttpServletRequest request, String verb, ResourceRef resource,
                                   ExpectedVersion expected, ObjectNode payload, boolean force) {
        return command(request, ids(request), verb, resource, expected, payload, force);
    }

    /** As above, with the ids already taken (by {@link #ids}) because a secret is derived from them. */
    static CommandEnvelope command(HttpServletRequest request, Ids ids, String verb, ResourceRef resource,
                                   ExpectedVersion expected, ObjectNode payload, boolean force) {
        String actor = Caller.actor(request);
        org.slf4j.MDC.put(dev.controlplane.httpsupport.RequestLog.COMMAND_ID, ids.command().toString());
        String type = CommandTypes.of(resource.kind(), verb);
        String hash = requestHash(type, payload, expected, force);
        return new CommandEnvelope(ids.command(), type, CommandEnvelope.CURRENT_SCHEMA_VERSION, resource, expected, actor,
                Caller.context(request), Instant.now(), hash, payload, force ? Boolean.TRUE : null, ids.idempotencyKey());
    }

    /** A new command id, and the request's Idempotency-Key scoped to its caller (not to the resource: reuse elsewhere is 422). */
    static Ids ids(HttpServletRequest request) {
        String key = request.getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return new Ids(CommandIds.next(), null);
        }
        if (key.isBlank() || key.length() > 255) {
            throw ApiException.invalidField(IDEMPOTENCY_KEY, "must be 1 to 255 characters");
        }
        return new Ids(CommandIds.next(), digest(Caller.actor(request) + "\n" + key));
    }

    private static String digest(String scoped) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(scoped.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String requestHash(String type, ObjectNode payload, ExpectedVersion expected, boolean force) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(type.getBytes(StandardCharsets.UTF_8));
            // A sealed secret differs on every attempt (a random nonce) though it seals the same derived secret.
            ObjectNode compared = payload.has(ResourceKind.SEALED_SECRET) ? payload.deepCopy() : payload;
            compared.remove(ResourceKind.SEALED_SECRET);
            digest.update(Envelopes.MAPPER.writeValueAsBytes(compared));
            digest.update(String.valueOf(expected == null ? "" : Envelopes.MAPPER.writeValueAsString(expected))
                    .getBytes(StandardCharsets.UTF_8));
            digest.update((byte) (force ? 1 : 0));
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
