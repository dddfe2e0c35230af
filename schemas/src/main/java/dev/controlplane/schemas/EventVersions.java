package dev.controlplane.schemas;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The schema version each event type is written at, and the upcasters that read its older versions. A version
 * belongs to one event type: changing one type's form does not touch the others, and every reader of the log gets
 * the current form of each type (through {@link Envelopes#readEvent}), whatever version the event was written at.
 *
 * <p>History:
 * <ul>
 *   <li>{@code config.updated} 2: {@code changes} are keyed by the JSON Pointer of each setting that changed
 *       ({@code "/audit/retention_days"}), where version 1 keyed them by section and held the whole section twice.</li>
 * </ul>
 */
public final class EventVersions {

    /** Per event type, the upcasters from version 1 on: the i-th reads version i+1 as version i+2. */
    private static final Map<String, List<UnaryOperator<ObjectNode>>> UPCASTERS = Map.of(
            "config.updated", List.of(EventVersions::configUpdatedByPointer));
    /** The types whose changes are keyed by pointer from version 2 on (each has the upcaster that converts them). */
    private static final Set<String> CHANGES_BY_POINTER = Set.of("config.updated");

    private static final Set<String> ACTIONS_BY_POINTER = CHANGES_BY_POINTER.stream()
            .map(type -> type.substring(0, type.indexOf('.')) + "." + EventVerb.fromType(type).action())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    static {
        CHANGES_BY_POINTER.forEach(type -> {
            if (current(type) < 2) {
                throw new IllegalStateException(type + " keys its changes by pointer but has no upcaster from version 1");
            }
        });
    }

    private EventVersions() {
    }

    /** The version an event of this type is written at now. */
    public static int current(String eventType) {
        return UPCASTERS.getOrDefault(eventType, List.of()).size() + 1;
    }

    /** Whether this type's current version keys its changes by JSON Pointer rather than by top-level field. */
    public static boolean changesByPointer(String eventType) {
        return CHANGES_BY_POINTER.contains(eventType);
    }

    /**
     * The version to write a type at: its current one, unless {@code pinned} holds it lower. A rolling upgrade pins
     * a type while instances that cannot read its new version still run (they would refuse its events).
     */
    public static int written(String eventType, Map<String, Integer> pinned) {
        Integer version = pinned.get(eventType);
        if (version == null) {
            return current(eventType);
        }
        if (version < 1 || version > current(eventType)) {
            throw new IllegalArgumentException(eventType + " cannot be written at version " + version + ": this build writes 1 to "
                    + current(eventType));
        }
        return version;
    }

    /** The changes between two documents in the form {@code version} of the type keys them. */
    public static ObjectNode changesAt(String eventType, int version, ObjectNode before, ObjectNode after) {
        return version >= 2 && changesByPointer(eventType) ? Changes.byPointer(before, after) : Changes.byField(before, after);
    }

    /** The event in its type's current version; refused when a newer writer than this reader wrote it. */
    static ObjectNode upcast(ObjectNode event) {
        String type = event.path("type").asString("");
        int version = event.path("schema_version").asInt(1);
        int current = current(type);
        if (version > current) {
            throw new IllegalArgumentException(type + " schema_version " + version + " is newer than this reader (" + current + ")");
        }
        if (version < 1) {
            throw new IllegalArgumentException(type + " schema_version " + version + " is not a version");
        }
        List<UnaryOperator<ObjectNode>> steps = UPCASTERS.getOrDefault(type, List.of());
        ObjectNode node = event;
        for (; version < current; version++) {
            node = steps.get(version - 1).apply(node);
            node.put("schema_version", version + 1);
        }
        return node;
    }

    /** Version 1 to 2 of {@code config.updated}: each section's from/to becomes the pointers of its leaves. */
    private static ObjectNode configUpdatedByPointer(ObjectNode event) {
        event.set("changes", byPointer(event.path("changes")));
        return event;
    }

    private static ObjectNode byPointer(JsonNode byField) {
        ObjectNode before = Envelopes.MAPPER.createObjectNode();
        ObjectNode after = Envelopes.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> section : byField.properties()) {
            before.set(section.getKey(), section.getValue().get("from"));
            after.set(section.getKey(), section.getValue().get("to"));
        }
        return Changes.byPointer(before, after);
    }

    /**
     * Changes kept by a store since before the upgrade (an audit record has no schema version) in the current form
     * of their audit {@code action}: a pointer-keyed type's changes never have a key without a leading slash, and
     * the first version's always do.
     */
    public static JsonNode currentChanges(String action, JsonNode changes) {
        if (!ACTIONS_BY_POINTER.contains(action) || !changes.isObject() || changes.isEmpty()
                || changes.propertyNames().stream().allMatch(key -> key.startsWith("/"))) {
            return changes;
        }
        return byPointer(changes);
    }
}
