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
 * @param replayOf set when this command was a retry answered with an earlier command's outcome: that command's id
 *                 (the events, if any, carry it)
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
        Instant decidedAt,
        UUID replayOf) {

    public CommandResult(UUID commandId, int schemaVersion, String commandType, ResourceRef resource, Outcome outcome,
                         Long version, ObjectNode data, Problem problem, Instant decidedAt) {
        this(commandId, schemaVersion, commandType, resource, outcome, version, data, problem, decidedAt, null);
    }

    public static final int CURRENT_SCHEMA_VERSION = 1;

    public enum Outcome { accepted, rejected }

    /** The same outcome, answering another request: a retry gets its first request's answer under its own id. */
    public CommandResult answering(UUID otherCommand) {
        return new CommandResult(otherCommand, schemaVersion, commandType, resource, outcome, version, data, problem, decidedAt,
                replayOf != null ? replayOf : commandId);
    }

    public boolean accepted() {
        return outcome == Outcome.accepted;
    }
}
