package dev.controlplane.commandservice.processor;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Reads a command record as far as it can. A command the processor cannot decide must not stop it (a record that
 * throws is read again after the stream thread is replaced, for ever), and whoever sent it is waiting: so anything
 * with a readable id is answered with a rejection, and only a record without one is skipped.
 */
final class CommandReader {

    /** What a record turned out to be. */
    sealed interface Read {
    }

    record Readable(CommandEnvelope command) implements Read {
    }

    /** A command that names itself but cannot be decided: answered with {@code problem}. */
    record Refused(UUID id, String type, ResourceRef resource, Problem problem) implements Read {
    }

    /** Nobody to answer: skipped, logged and counted. */
    record Unreadable(String reason) implements Read {
    }

    private CommandReader() {
    }

    /** @param expectedKey what the record's key must be for this command (its resource, or its idempotency key) */
    static Read read(String recordKey, byte[] value, java.util.function.Function<CommandEnvelope, String> expectedKey) {
        JsonNode node;
        try {
            node = Envelopes.MAPPER.readTree(value);
        } catch (RuntimeException e) {
            return new Unreadable("not JSON: " + e.getClass().getSimpleName());
        }
        if (node == null || !node.isObject()) {
            return new Unreadable("not a JSON object");
        }
        UUID id;
        try {
            id = UUID.fromString(node.path("id").asString(""));
        } catch (IllegalArgumentException e) {
            return new Unreadable("no command id");
        }
        String type = node.path("type").isString() ? node.path("type").asString() : null;
        int version = node.path("schema_version").asInt(1);
        if (version > CommandEnvelope.CURRENT_SCHEMA_VERSION) {
            return new Refused(id, type, null, Problem.of("unsupported-schema-version", "Unsupported command version", 422,
                    "command schema_version " + version + " is newer than this processor reads ("
                            + CommandEnvelope.CURRENT_SCHEMA_VERSION + "); nothing was changed: retry once every processor is upgraded"));
        }
        CommandEnvelope command;
        try {
            command = Envelopes.readCommand((tools.jackson.databind.node.ObjectNode) node);
        } catch (RuntimeException e) {
            return new Refused(id, type, null, Rejections.invalidCommand("the command envelope cannot be read"));
        }
        if (command.resource() == null || command.resource().kind() == null || command.resource().name() == null
                || command.type() == null || command.payload() == null) {
            return new Refused(id, type, command.resource(), Rejections.invalidCommand(
                    "the command envelope lacks its resource, type or payload"));
        }
        String expected = expectedKey.apply(command);
        if (expected == null || !expected.equals(recordKey)) {
            return new Refused(id, type, command.resource(), Rejections.invalidCommand(
                    "the command was sent under another key than its own, so another writer may own its resource"));
        }
        return new Readable(command);
    }
}
