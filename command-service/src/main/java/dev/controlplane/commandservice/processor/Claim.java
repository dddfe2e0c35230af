package dev.controlplane.commandservice.processor;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.Problem;
import java.util.UUID;

/**
 * What an idempotency key was first used for: one resource, one request. A later command with the key goes on to
 * its resource's writer (which answers it with the first outcome) only if it is the same request on the same resource.
 */
record Claim(String resource, String commandType, String requestHash, UUID firstCommand) {

    static Claim of(CommandEnvelope command) {
        return new Claim(command.resource().key(), command.type(), command.requestHash(), command.id());
    }

    /** Null when {@code command} may go on; otherwise why it is refused. */
    Problem refusal(CommandEnvelope command) {
        boolean same = resource.equals(command.resource().key()) && commandType.equals(command.type())
                && java.util.Objects.equals(requestHash, command.requestHash());
        return same ? null : Rejections.idempotencyKeyReused(commandType, resource);
    }
}
