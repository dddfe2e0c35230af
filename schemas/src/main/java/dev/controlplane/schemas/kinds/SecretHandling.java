package dev.controlplane.schemas.kinds;

import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * How a kind holds a secret, and everything that follows from it: which stored fields nobody reads back, how audit
 * changes and webhook payloads redact them (at any depth), what the stored and the shown schemas say, and which
 * answer field carries the secret the once it is shown. One variant per way of holding a secret.
 */
public sealed interface SecretHandling {

    String REDACTED = "[redacted]";

    /** Stored fields (at any depth) that no reader, audit record or webhook subscriber ever sees. */
    Set<String> hiddenFields();

    /** Where the answer that issues the secret carries it; null for a kind that issues none. */
    String answerField();

    /** The stored secret fields, for the JSON Schema of events. */
    Map<String, FieldType> storedFields();

    /** The document as the API shows it: hidden fields removed at any depth. The input is not changed. */
    default ObjectNode shown(ObjectNode document) {
        if (hiddenFields().isEmpty()) {
            return document;
        }
        ObjectNode copy = document.deepCopy();
        strip(copy, hiddenFields());
        return copy;
    }

    /** Audit changes as readers may see them: the value of every hidden field, at any depth, is redacted. */
    default ObjectNode redacted(ObjectNode changes) {
        if (hiddenFields().isEmpty() || !mentions(changes, hiddenFields())) {
            return changes;
        }
        ObjectNode copy = changes.deepCopy();
        redact(copy, hiddenFields());
        return copy;
    }

    /** No secret: a kind shown as stored. */
    record None() implements SecretHandling {
        public Set<String> hiddenFields() {
            return Set.of();
        }

        public String answerField() {
            return null;
        }

        public Map<String, FieldType> storedFields() {
            return Map.of();
        }
    }

    /** A secret generated at creation, returned once as {@code token}; only its hash is kept (tokens). */
    record IssuedOnce() implements SecretHandling {
        public static final String HASH = "secret_hash";

        public Set<String> hiddenFields() {
            return Set.of(HASH);
        }

        public String answerField() {
            return "token";
        }

        public Map<String, FieldType> storedFields() {
            return Map.of(HASH, FieldType.string(1, 256));
        }
    }

    /**
     * A secret the system must use later (webhook signing): kept sealed, returned once as {@code secret}; on rotation
     * the previous one stays usable until {@code previous_secret_expires_at}.
     */
    record Sealed() implements SecretHandling {
        public static final String SEALED = "secret_sealed";
        public static final String PREVIOUS = "previous_secret_sealed";
        public static final String PREVIOUS_EXPIRES_AT = "previous_secret_expires_at";

        public Set<String> hiddenFields() {
            return Set.of(SEALED, PREVIOUS);
        }

        public String answerField() {
            return "secret";
        }

        public Map<String, FieldType> storedFields() {
            return Map.of(SEALED, FieldType.string(1, 512), PREVIOUS, FieldType.string(1, 512),
                    PREVIOUS_EXPIRES_AT, FieldType.timestamp());
        }
    }

    /** A list of named items each with its own secret, kept as a hash (API keys); each item is shown masked. */
    record ItemSecrets(String list) implements SecretHandling {
        public static final String HASH = "key_hash";

        public Set<String> hiddenFields() {
            return Set.of(HASH);
        }

        public String answerField() {
            return "key";
        }

        public Map<String, FieldType> storedFields() {
            return Map.of();
        }
    }

    private static void strip(JsonNode node, Set<String> fields) {
        if (node instanceof ObjectNode object) {
            fields.forEach(object::remove);
            object.forEach(child -> strip(child, fields));
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> strip(child, fields));
        }
    }

    private static void redact(JsonNode node, Set<String> fields) {
        if (node instanceof ObjectNode object) {
            for (String field : Set.copyOf(object.propertyNames())) {
                JsonNode value = object.get(field);
                if (fields.contains(field)) {
                    object.set(field, redactedValue(value));
                } else {
                    redact(value, fields);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> redact(child, fields));
        }
    }

    /** A hidden field's change keeps its shape ({@code from}/{@code to}) and whether a value was there. */
    private static JsonNode redactedValue(JsonNode value) {
        if (value instanceof ObjectNode change && (change.has("from") || change.has("to"))) {
            ObjectNode redacted = JsonNodeFactory.instance.objectNode();
            redacted.set("from", change.path("from").isNull() || change.path("from").isMissingNode() ? JsonNodeFactory.instance.nullNode() : StringNode.valueOf(REDACTED));
            redacted.set("to", change.path("to").isNull() || change.path("to").isMissingNode() ? JsonNodeFactory.instance.nullNode() : StringNode.valueOf(REDACTED));
            return redacted;
        }
        return value == null || value.isNull() ? value : StringNode.valueOf(REDACTED);
    }

    private static boolean mentions(JsonNode node, Set<String> fields) {
        if (node instanceof ObjectNode object) {
            for (String field : object.propertyNames()) {
                if (fields.contains(field) || mentions(object.get(field), fields)) {
                    return true;
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode child : array) {
                if (mentions(child, fields)) {
                    return true;
                }
            }
        }
        return false;
    }
}
