package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.Problem.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One kind of resource: its wire name, its API collection, and the fields a client may set.
 *
 * <p>Every kind also has the server-managed fields {@code name} (immutable, from the URL on update),
 * {@code status} ({@code active}/{@code inactive}, soft delete) and {@code created_at} (immutable).
 *
 * @param name       the wire name: {@code tenant}, {@code access_policy}; first part of event and action types
 * @param collection the API path segment: {@code tenants}, {@code accesspolicies}
 * @param fields     settable fields by name, in document order
 * @param required   fields a create must give
 */
public record ResourceKind(String name, String collection, Map<String, FieldType> fields, Set<String> required) {

    public static final Pattern NAME = Pattern.compile("[a-z0-9_-]{3,64}");
    public static final FieldType NAME_TYPE = FieldType.matching(NAME, "3 to 64 characters of [a-z0-9-_]");
    public static final Set<String> STATUSES = Set.of("active", "inactive");

    /**
     * Checks a create body and returns its settable fields. {@code status} and {@code created_at} may be sent (as
     * in the GEM API) but are set by the server: status always starts {@code active}.
     */
    public Validated validateCreate(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (!body.isObject()) {
            return Validated.invalid(new FieldError("", "must be a JSON object"));
        }
        JsonNode name = body.get("name");
        if (name == null) {
            errors.add(new FieldError("/name", "is required"));
        } else {
            NAME_TYPE.check("/name", name, errors);
        }
        ObjectNode payload = settable(body, errors);
        required.stream().filter(field -> !body.has(field))
                .forEach(field -> errors.add(new FieldError("/" + field, "is required")));
        return errors.isEmpty() ? new Validated(name.asString(), payload, List.of()) : new Validated(null, null, errors);
    }

    /**
     * Checks an update body: fields present are set, fields absent keep their value (as GEM's examples show).
     * {@code name} is ignored; {@code created_at} is kept in the payload so the decision can refuse a change to it.
     */
    public Validated validateUpdate(String resourceName, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (!body.isObject()) {
            return Validated.invalid(new FieldError("", "must be a JSON object"));
        }
        ObjectNode payload = settable(body, errors);
        if (body.has("status")) {
            FieldType.oneOf(STATUSES).check("/status", body.get("status"), errors);
            payload.set("status", body.get("status"));
        }
        if (body.has("created_at")) {
            FieldType.string(1, 64).check("/created_at", body.get("created_at"), errors);
            payload.set("created_at", body.get("created_at"));
        }
        return errors.isEmpty() ? new Validated(resourceName, payload, List.of()) : new Validated(null, null, errors);
    }

    /** The fields every kind manages itself; each validate method decides what to do with them. */
    private static final Set<String> SERVER_MANAGED = Set.of("name", "status", "created_at");

    private ObjectNode settable(JsonNode body, List<FieldError> errors) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        for (String field : body.propertyNames()) {
            FieldType type = fields.get(field);
            if (type != null) {
                type.check("/" + field, body.get(field), errors);
                payload.set(field, body.get(field));
            } else if (!SERVER_MANAGED.contains(field)) {
                errors.add(new FieldError("/" + field, "is not a known field of " + name));
            }
        }
        return payload;
    }

    /** The outcome of checking a body: the resource name and its settable fields, or what is wrong. */
    public record Validated(String name, ObjectNode payload, List<FieldError> errors) {
        static Validated invalid(FieldError error) {
            return new Validated(null, null, List.of(error));
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Starts a kind's field map in document order. */
    public static Map<String, FieldType> fields(Object... nameTypePairs) {
        Map<String, FieldType> fields = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            fields.put((String) nameTypePairs[i], (FieldType) nameTypePairs[i + 1]);
        }
        return fields;
    }
}
