package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.Problem.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** The type of one field of a resource schema; checking never coerces (a number is not a string). */
@FunctionalInterface
public interface FieldType {

    void check(String path, JsonNode value, List<FieldError> errors);

    static FieldType string(int minLength, int maxLength) {
        return (path, value, errors) -> {
            if (!value.isString()) {
                errors.add(new FieldError(path, "must be a string"));
            } else if (value.asString().length() < minLength || value.asString().length() > maxLength) {
                errors.add(new FieldError(path, "must be " + minLength + " to " + maxLength + " characters long"));
            }
        };
    }

    static FieldType matching(Pattern pattern, String description) {
        return (path, value, errors) -> {
            if (!value.isString() || !pattern.matcher(value.asString()).matches()) {
                errors.add(new FieldError(path, "must be " + description));
            }
        };
    }

    static FieldType oneOf(Set<String> allowed) {
        return (path, value, errors) -> {
            if (!value.isString() || !allowed.contains(value.asString())) {
                errors.add(new FieldError(path, "must be one of " + allowed.stream().sorted().toList()));
            }
        };
    }

    static FieldType arrayOf(FieldType items, int minItems, int maxItems) {
        return (path, value, errors) -> {
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
        };
    }

    /** An object with exactly the given fields; {@code required} lists those that must be present. */
    static FieldType object(Map<String, FieldType> fields, Set<String> required) {
        return (path, value, errors) -> {
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
        };
    }
}
