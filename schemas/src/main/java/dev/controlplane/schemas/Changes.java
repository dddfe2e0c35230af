package dev.controlplane.schemas;

import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code changes} of an event, {@code {key: {"from": old, "to": new}}}, in the two forms event types use: by
 * top-level field (every type at schema version 1), or by the JSON Pointer (RFC 6901) of each leaf that changed, so a
 * reader of a nested document sees which setting changed rather than two copies of its section.
 */
public final class Changes {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Changes() {
    }

    /** Every top-level field whose value differs, removed fields included (with {@code "to": null}). */
    public static ObjectNode byField(ObjectNode before, ObjectNode after) {
        ObjectNode changes = JSON.objectNode();
        for (String field : union(before, after)) {
            JsonNode from = before.get(field);
            JsonNode to = after.get(field);
            if (!same(from, to)) {
                change(changes, field, from, to);
            }
        }
        return changes;
    }

    /**
     * Every leaf that differs, keyed by its pointer. Objects are descended into (an absent one counts as empty);
     * arrays and scalars are leaves, and so is an empty object that appears or goes.
     */
    public static ObjectNode byPointer(JsonNode before, JsonNode after) {
        ObjectNode changes = JSON.objectNode();
        leaves(changes, "", before, after);
        return changes;
    }

    private static void leaves(ObjectNode changes, String pointer, JsonNode from, JsonNode to) {
        boolean fromObject = from != null && from.isObject();
        boolean toObject = to != null && to.isObject();
        boolean descend = fromObject && toObject
                || fromObject && absent(to) && !from.isEmpty()
                || toObject && absent(from) && !to.isEmpty();
        if (descend) {
            for (String field : union(fromObject ? from : JSON.objectNode(), toObject ? to : JSON.objectNode())) {
                leaves(changes, pointer + "/" + escape(field), fromObject ? from.get(field) : null, toObject ? to.get(field) : null);
            }
        } else if (!java.util.Objects.equals(from, to)) {
            // An explicit null is a value here: a member set to null is a change even though it reads as null.
            change(changes, pointer, from, to);
        }
    }

    private static Set<String> union(JsonNode a, JsonNode b) {
        Set<String> fields = new LinkedHashSet<>(b.propertyNames());
        fields.addAll(a.propertyNames());
        return fields;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return absent(a) ? absent(b) : a.equals(b);
    }

    private static void change(ObjectNode changes, String key, JsonNode from, JsonNode to) {
        ObjectNode change = changes.putObject(key);
        change.set("from", absent(from) ? NullNode.getInstance() : from);
        change.set("to", absent(to) ? NullNode.getInstance() : to);
    }

    private static String escape(String field) {
        return field.replace("~", "~0").replace("/", "~1");
    }
}
