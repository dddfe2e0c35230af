package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import dev.controlplane.schemas.CommandEnvelope;
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
 * Builds command envelopes from HTTP requests. With an {@code Idempotency-Key} the command id is derived from the
 * caller, the request line and the key, so a retry carries the same id and is answered from the first decision.
 */
final class CommandFactory {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private CommandFactory() {
    }

    static CommandEnvelope command(HttpServletRequest request, String verb, ResourceRef resource,
                                   ExpectedVersion expected, ObjectNode payload, boolean force) {
        return command(request, id(request), verb, resource, expected, payload, force);
    }

    /** As above, with the id already taken (by {@link #id}) because a secret is derived from it. */
    static CommandEnvelope command(HttpServletRequest request, UUID id, String verb, ResourceRef resource,
                                   ExpectedVersion expected, ObjectNode payload, boolean force) {
        String actor = Caller.actor(request);
        String hash = requestHash(payload, expected, force);
        return new CommandEnvelope(id, CommandTypes.of(resource.kind(), verb),
                CommandEnvelope.CURRENT_SCHEMA_VERSION, resource, expected, actor, Caller.context(request),
                Instant.now(), hash, payload, force ? Boolean.TRUE : null);
    }

    /** The command id of this request: derived from the caller, the request line and its Idempotency-Key, else new. */
    static UUID id(HttpServletRequest request) {
        return commandId(request, Caller.actor(request));
    }

    private static UUID commandId(HttpServletRequest request, String actor) {
        String key = request.getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return UUID.randomUUID();
        }
        if (key.isBlank() || key.length() > 255) {
            throw ApiException.invalidField(IDEMPOTENCY_KEY, "must be 1 to 255 characters");
        }
        String scope = actor + "\n" + request.getMethod() + " " + request.getRequestURI() + "\n" + key;
        return UUID.nameUUIDFromBytes(scope.getBytes(StandardCharsets.UTF_8));
    }

    private static String requestHash(ObjectNode payload, ExpectedVersion expected, boolean force) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
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
