package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.Problem.FieldError;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The type of one field of a resource schema. It checks a value (never coercing: a number is not a string) and
 * describes itself as JSON Schema, so the API contract and the event schemas come from the same declaration.
 */
public interface FieldType {

    JsonNodeFactory JSON = JsonNodeFactory.instance;

    void check(String path, JsonNode value, List<FieldError> errors);

    /** This type as a JSON Schema (draft 2020-12) fragment. */
    ObjectNode schema();

    static FieldType string(int minLength, int maxLength) {
        return new Simple(schema("string").put("minLength", minLength).put("maxLength", maxLength), (path, value, errors) -> {
            if (!value.isString()) {
                errors.add(new FieldError(path, "must be a string"));
            } else if (value.asString().length() < minLength || value.asString().length() > maxLength) {
                errors.add(new FieldError(path, "must be " + minLength + " to " + maxLength + " characters long"));
            }
        });
    }

    static FieldType matching(Pattern pattern, String description) {
        return new Simple(schema("string").put("pattern", "^(" + pattern.pattern() + ")$").put("description", description),
                (path, value, errors) -> {
                    if (!value.isString() || !pattern.matcher(value.asString()).matches()) {
                        errors.add(new FieldError(path, "must be " + description));
                    }
                });
    }

    static FieldType oneOf(Set<String> allowed) {
        ObjectNode schema = schema("string");
        ArrayNode values = schema.putArray("enum");
        new TreeSet<>(allowed).forEach(values::add);
        return new Simple(schema, (path, value, errors) -> {
            if (!value.isString() || !allowed.contains(value.asString())) {
                errors.add(new FieldError(path, "must be one of " + allowed.stream().sorted().toList()));
            }
        });
    }

    static FieldType integer(long min, long max) {
        return new Simple(schema("integer").put("minimum", min).put("maximum", max), (path, value, errors) -> {
            if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
                errors.add(new FieldError(path, "must be a whole number from " + min + " to " + max));
            }
        });
    }

    static FieldType bool() {
        return new Simple(schema("boolean"), (path, value, errors) -> {
            if (!value.isBoolean()) {
                errors.add(new FieldError(path, "must be true or false"));
            }
        });
    }

    /** An RFC 3339 date-time with an offset, such as {@code 2030-01-01T00:00:00Z}. */
    static FieldType timestamp() {
        return new Simple(schema("string").put("format", "date-time"), (path, value, errors) -> {
            if (!value.isString() || !isTimestamp(value.asString())) {
                errors.add(new FieldError(path, "must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z"));
            }
        });
    }

    private static boolean isTimestamp(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** A JSON object whose content the kind does not constrain (a plugin's config), bounded in size. */
    static FieldType anyObject(int maxProperties) {
        return new Simple(schema("object").put("maxProperties", maxProperties), (path, value, errors) -> {
            if (!value.isObject()) {
                errors.add(new FieldError(path, "must be an object"));
            } else if (value.size() > maxProperties) {
                errors.add(new FieldError(path, "must have at most " + maxProperties + " properties"));
            }
        });
    }

    /** A string that must also satisfy a parser; the parser answers null when the text is fine, else why not. */
    static FieldType parsed(FieldType base, String format, Function<String, String> problem) {
        return new Simple(base.schema().deepCopy().put("format", format), (path, value, errors) -> {
            int before = errors.size();
            base.check(path, value, errors);
            if (errors.size() == before) {
                String why = problem.apply(value.asString());
                if (why != null) {
                    errors.add(new FieldError(path, why));
                }
            }
        });
    }

    static FieldType arrayOf(FieldType items, int minItems, int maxItems) {
        ObjectNode schema = schema("array").put("minItems", minItems).put("maxItems", maxItems);
        schema.set("items", items.schema());
        return new Simple(schema, (path, value, errors) -> {
            if (!value.isArray()) {
                errors.add(new FieldError(path, "must be an array"));
                return;
            }
            if (value.size() < minItems || value.size() > maxItems) {
                errors.add(new FieldError(path, "must have " + minItems + " to " + maxItems + " items"));
            }
            for (int i = 0; i < value.size(); i++) {
                items.check(path + "/" + i, value.get(i), errors);
            }
        });
    }

    /** An array whose items are all different (role assignments, scopes). */
    static FieldType setOf(FieldType items, int minItems, int maxItems) {
        FieldType array = arrayOf(items, minItems, maxItems);
        return new Simple(array.schema().deepCopy().put("uniqueItems", true), (path, value, errors) -> {
            array.check(path, value, errors);
            if (value.isArray()) {
                Set<JsonNode> seen = new HashSet<>();
                for (int i = 0; i < value.size(); i++) {
                    if (!seen.add(value.get(i))) {
                        errors.add(new FieldError(path + "/" + i, "repeats an earlier item"));
                    }
                }
            }
        });
    }

    /** An object with exactly the given fields; {@code required} lists those that must be present. */
    static FieldType object(Map<String, FieldType> fields, Set<String> required) {
        ObjectNode schema = schema("object").put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        new TreeMap<>(fields).forEach((name, type) -> properties.set(name, type.schema()));
        if (!required.isEmpty()) {
            ArrayNode names = schema.putArray("required");
            new TreeSet<>(required).forEach(names::add);
        }
        return new Simple(schema, (path, value, errors) -> {
            if (!value.isObject()) {
                errors.add(new FieldError(path, "must be an object"));
                return;
            }
            for (String name : value.propertyNames()) {
                FieldType type = fields.get(name);
                if (type == null) {
                    errors.add(new FieldError(path + "/" + name, "is not a known field"));
                } else {
                    type.check(path + "/" + name, value.get(name), errors);
                }
            }
            required.stream().filter(name -> !value.has(name))
                    .forEach(name -> errors.add(new FieldError(path + "/" + name, "is required")));
        });
    }

    private static ObjectNode schema(String type) {
        return JSON.objectNode().put("type", type);
    }

    /** The check of a field, without its schema. */
    @FunctionalInterface
    interface Check {
        void check(String path, JsonNode value, List<FieldError> errors);
    }

    /** A type made of its schema and its check. */
    record Simple(ObjectNode schema, Check checker) implements FieldType {
        @Override
        public void check(String path, JsonNode value, List<FieldError> errors) {
            checker.check(path, value, errors);
        }

        @Override
        public ObjectNode schema() {
            return schema.deepCopy();
        }
    }
}
