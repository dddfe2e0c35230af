package dev.controlplane.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * The processor's answer to one command, keyed by command id on {@link Topics#COMMAND_RESULTS}.
 *
 * @param version the resource's version after an accepted command
 * @param data    the resource after an accepted command
 * @param problem why a command was rejected
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandResult(
        UUID commandId,
        int schemaVersion,
        String commandType,
        ResourceRef resource,
        Outcome outcome,
        Long version,
        ObjectNode data,
        Problem problem,
        Instant decidedAt) {

    public static final int CURRENT_SCHEMA_VERSION = 1;

    public enum Outcome { accepted, rejected }

    public boolean accepted() {
        return outcome == Outcome.accepted;
    }
}
