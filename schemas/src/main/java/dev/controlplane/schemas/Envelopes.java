package dev.controlplane.schemas;

import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes envelopes in their wire form (snake_case JSON) and upcasts older schema versions on read
 * (events by type, {@link EventVersions}).
 * Every envelope read from the log goes through here, so an old event never reaches decision or projection code.
 */
public final class Envelopes {

    /** The one mapper for the log: snake_case, ISO-8601 instants, tolerant of fields added by newer writers. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Command upcasters by the version they read: each turns version N into N+1. Empty while commands are at 1. */
    private static final Map<Integer, UnaryOperator<ObjectNode>> COMMAND_UPCASTERS = Map.of();

    private Envelopes() {
    }

    public static byte[] write(Object envelope) {
        return MAPPER.writeValueAsBytes(envelope);
    }

    public static EventEnvelope readEvent(byte[] json) {
        return MAPPER.treeToValue(EventVersions.upcast((ObjectNode) MAPPER.readTree(json)), EventEnvelope.class);
    }

    public static CommandEnvelope readCommand(byte[] json) {
        return readCommand((ObjectNode) MAPPER.readTree(json));
    }

    /** A command already parsed (the processor looks at its id and version first); upcasting may change the tree. */
    public static CommandEnvelope readCommand(ObjectNode tree) {
        return MAPPER.treeToValue(upcast(tree, CommandEnvelope.CURRENT_SCHEMA_VERSION, COMMAND_UPCASTERS), CommandEnvelope.class);
    }

    public static SecurityEvent readSecurityEvent(byte[] json) {
        return MAPPER.readValue(json, SecurityEvent.class);
    }

    public static CommandResult readResult(byte[] json) {
        return MAPPER.readValue(json, CommandResult.class);
    }

    private static ObjectNode upcast(ObjectNode node, int current, Map<Integer, UnaryOperator<ObjectNode>> upcasters) {
        int version = node.path("schema_version").asInt(1);
        if (version > current) {
            throw new IllegalArgumentException("schema_version " + version + " is newer than this reader (" + current + ")");
        }
        while (version < current) {
            UnaryOperator<ObjectNode> step = upcasters.get(version);
            if (step == null) {
                throw new IllegalStateException("no upcaster from schema_version " + version);
            }
            node = step.apply(node);
            version++;
            node.put("schema_version", version);
        }
        return node;
    }
}
