package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.Problem.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One kind of resource: its wire name, its API collection, the fields a client may set, and its rules.
 *
 * <p>Every kind also has the server-managed fields {@link #SERVER_MANAGED}: {@code name} (from the URL on update,
 * immutable), {@code status} ({@code active}/{@code inactive}, soft delete; set on update only),
 * {@code created_at}, {@code created_by} and {@code version}. The one rule for them (mass assignment): a create
 * ignores them all; an update ignores {@code name} (GEM's contract) and refuses a {@code created_at},
 * {@code created_by} or {@code version} that differs from the current value, so a body read with GET can be sent
 * back unchanged.
 *
 * @param name        the wire name: {@code tenant}, {@code access_policy}; first part of event and action types
 * @param collection  the API path segment: {@code tenants}, {@code accesspolicies}
 * @param fields      settable fields by name, in document order
 * @param required    fields a create must give
 * @param nameField   the body field that names a new resource ({@code name}; {@code username} for users)
 * @param references  fields that name other resources, checked when a command is decided
 * @param mutable     false for kinds that cannot change after creation (clusters): no update, no ETag
 * @param secret      how the kind holds a secret, if it has one ({@link SecretHandling}): issued once and kept as a
 *                    hash (tokens), sealed and rotated (webhooks), one per item (API keys)
 * @param singleton   the one resource's name for kinds that are a single document (configuration), else null:
 *                    it has no collection routes, and its first write (If-Match "0" or "*") creates it
 * @param itemList    for single-document kinds that hold a list of named items (API keys): the list's field,
 *                    whose items can also be added, patched and removed one at a time; else null
 */
public record ResourceKind(String name, String collection, Map<String, FieldType> fields, Set<String> required,
                           String nameField, List<Reference> references, boolean mutable, SecretHandling secret,
                           String singleton, String itemList) {

    public static final Pattern NAME = Pattern.compile("[a-z0-9_-]{3,64}");
    public static final FieldType NAME_TYPE = FieldType.matching(NAME, "3 to 64 characters of [a-z0-9-_]");
    public static final Set<String> STATUSES = Set.of("active", "inactive");
    /** The fields every kind manages itself; see the class comment for the rule. */
    public static final Set<String> SERVER_MANAGED = Set.of("name", "status", "created_at", "created_by", "version");
    /** Fields compared, not set, on update: a different value is refused. */
    public static final Set<String> IMMUTABLE = Set.of("created_at", "created_by", "version");
    /** Where a kind whose secret is issued once keeps its hash; never shown by the API. */
    public static final String SECRET_HASH = SecretHandling.IssuedOnce.HASH;
    /** Where a kind whose secret is sealed keeps it, and the one it replaced; never shown by the API. */
    public static final String SEALED_SECRET = SecretHandling.Sealed.SEALED;
    public static final String PREVIOUS_SEALED_SECRET = SecretHandling.Sealed.PREVIOUS;
    public static final String PREVIOUS_SECRET_EXPIRES_AT = SecretHandling.Sealed.PREVIOUS_EXPIRES_AT;
    /** In a rotation command only: how long the previous secret stays valid, in seconds. */
    public static final String ROTATION_OVERLAP_SECONDS = "rotation_overlap_seconds";
    /** Where an item of an {@link #itemList} keeps its secret's hash; never shown by the API. */
    public static final String ITEM_SECRET_HASH = SecretHandling.ItemSecrets.HASH;

    /** A field naming resources of another kind; {@code path} uses {@code *} for every array item. */
    public record Reference(String path, String targetKind, boolean blocksDeactivation) {

        /** The names this field holds in {@code data}; {@code "*"} (every tenant) is not a reference. */
        public Set<String> targets(JsonNode data) {
            Set<String> names = new LinkedHashSet<>();
            collect(data, path.split("/"), 0, names);
            names.remove("*");
            return names;
        }

        private static void collect(JsonNode node, String[] steps, int step, Set<String> names) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return;
            }
            if (step == steps.length) {
                if (node.isString()) {
                    names.add(node.asString());
                }
                return;
            }
            if (steps[step].equals("*")) {
                if (node.isArray()) {
                    node.forEach(item -> collect(item, steps, step + 1, names));
                }
            } else {
                collect(node.get(steps[step]), steps, step + 1, names);
            }
        }
    }

    /** A mutable kind named by {@code name}, without references or secrets. */
    public static ResourceKind of(String name, String collection, Map<String, FieldType> fields, Set<String> required) {
        return new ResourceKind(name, collection, fields, required, "name", List.of(), true, new SecretHandling.None(), null, null);
    }

    public ResourceKind namedBy(String field) {
        return new ResourceKind(name, collection, fields, required, field, references, mutable, secret, singleton, itemList);
    }

    public ResourceKind referencing(Reference... refs) {
        return new ResourceKind(name, collection, fields, required, nameField, List.of(refs), mutable, secret, singleton, itemList);
    }

    public ResourceKind immutable() {
        return new ResourceKind(name, collection, fields, required, nameField, references, false, secret, singleton, itemList);
    }

    /** A kind whose creation returns a generated secret once (tokens); only its hash is kept. */
    public ResourceKind issuingSecret() {
        return new ResourceKind(name, collection, fields, required, nameField, references, mutable, new SecretHandling.IssuedOnce(),
                singleton, itemList);
    }

    /** A kind with exactly one resource, named {@code resourceName}. */
    public ResourceKind singletonNamed(String resourceName) {
        return new ResourceKind(name, collection, fields, required, nameField, references, mutable, secret, resourceName, itemList);
    }

    /** A single-document kind whose {@code field} is a list of items named by their {@code name}, each with a secret. */
    public ResourceKind withItems(String field) {
        return new ResourceKind(name, collection, fields, required, nameField, references, mutable, new SecretHandling.ItemSecrets(field),
                singleton, field);
    }

    /** A kind whose secret is kept sealed and rotated with an overlap (webhooks). */
    public ResourceKind sealingSecret() {
        return new ResourceKind(name, collection, fields, required, nameField, references, mutable, new SecretHandling.Sealed(),
                singleton, itemList);
    }

    public boolean isSingleton() {
        return singleton != null;
    }

    /**
     * The server-managed fields compared, not set, on update: {@link #IMMUTABLE} but those this kind declares as
     * its own (a plugin's {@code version} is the plugin's, not the resource's).
     */
    public Set<String> immutableFields() {
        return IMMUTABLE.stream().filter(field -> !fields.containsKey(field)).collect(Collectors.toUnmodifiableSet());
    }

    /** Checks a create body and returns its name and settable fields; server-managed fields are ignored. */
    public Validated validateCreate(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (!body.isObject()) {
            return Validated.invalid(new FieldError("", "must be a JSON object"));
        }
        JsonNode given = body.get(nameField);
        if (given == null) {
            errors.add(new FieldError("/" + nameField, "is required"));
        } else {
            NAME_TYPE.check("/" + nameField, given, errors);
        }
        ObjectNode payload = settable(body, errors);
        required.stream().filter(field -> !body.has(field) || body.get(field).isNull())
                .forEach(field -> errors.add(new FieldError("/" + field, "is required")));
        return errors.isEmpty() ? new Validated(given.asString(), payload, List.of()) : new Validated(null, null, errors);
    }

    /**
     * Checks an update body: fields present are set, fields absent keep their value (as GEM's examples show).
     * The immutable server-managed fields stay in the payload so the decision can refuse a change to them.
     */
    public Validated validateUpdate(String resourceName, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (!body.isObject()) {
            return Validated.invalid(new FieldError("", "must be a JSON object"));
        }
        ObjectNode payload = settable(body, errors);
        if (body.has("status")) {
            statusType().check("/status", body.get("status"), errors);
            payload.set("status", body.get("status"));
        }
        for (String field : immutableFields()) {
            if (body.has(field)) {
                payload.set(field, body.get(field));
            }
        }
        return errors.isEmpty() ? new Validated(resourceName, payload, List.of()) : new Validated(null, null, errors);
    }

    /**
     * Checks a JSON merge patch (RFC 7396) as far as it can be checked alone: known fields, and each value that is
     * set has its field's type. Whether the patched document is whole (required fields) is decided against the
     * current version, by {@link #checkDocument}.
     */
    public Validated validatePatch(String resourceName, JsonNode patch) {
        if (!patch.isObject()) {
            return Validated.invalid(new FieldError("", "must be a JSON object (a JSON merge patch)"));
        }
        List<FieldError> errors = new ArrayList<>();
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        for (String field : patch.propertyNames()) {
            JsonNode value = patch.get(field);
            FieldType type = fields.get(field);
            if (type != null) {
                if (!value.isNull()) {
                    type.check("/" + field, value, errors);
                } else if (required.contains(field)) {
                    errors.add(new FieldError("/" + field, "is required and cannot be removed"));
                }
                payload.set(field, value);
            } else if (field.equals("status")) {
                statusType().check("/status", value, errors);
                payload.set(field, value);
            } else if (immutableFields().contains(field)) {
                payload.set(field, value);
            } else if (!field.equals("name") && !field.equals(nameField)) {
                errors.add(new FieldError("/" + field, "is not a known field of " + name));
            }
        }
        return errors.isEmpty() ? new Validated(resourceName, payload, List.of()) : new Validated(null, null, errors);
    }

    /** A single document is always active: it is changed, never deactivated. */
    private FieldType statusType() {
        return FieldType.oneOf(isSingleton() ? Set.of("active") : STATUSES);
    }

    /** Checks a whole resource document (after a patch is applied): every settable field typed, required present. */
    public List<FieldError> checkDocument(ObjectNode document) {
        List<FieldError> errors = new ArrayList<>();
        fields.forEach((field, type) -> {
            JsonNode value = document.get(field);
            if (value != null && !value.isNull()) {
                type.check("/" + field, value, errors);
            }
        });
        required.stream().filter(field -> !document.has(field) || document.get(field).isNull())
                .forEach(field -> errors.add(new FieldError("/" + field, "is required")));
        return errors;
    }

    /** The resource as a client sees it: no secret, no hash of one (see {@link SecretHandling}). */
    public ObjectNode shown(ObjectNode document) {
        return secret.shown(document);
    }

    /** The JSON Schema of this kind's resource document, as the API returns it and as events carry it. */
    public ObjectNode documentSchema() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.set("name", NAME_TYPE.schema());
        if (!nameField.equals("name")) {
            properties.set(nameField, NAME_TYPE.schema());
        }
        fields.forEach((field, type) -> properties.set(field, type.schema()));
        properties.set("status", FieldType.oneOf(STATUSES).schema());
        properties.set("created_at", FieldType.timestamp().schema());
        properties.set("created_by", FieldType.string(1, 256).schema());
        new java.util.TreeMap<>(secret.storedFields()).forEach((field, type) -> properties.set(field, type.schema()));
        ArrayNode names = schema.putArray("required");
        List.of("name", "status", "created_at").forEach(names::add);
        new TreeSet<>(required).forEach(names::add);
        schema.put("additionalProperties", false);
        return schema;
    }

    private ObjectNode settable(JsonNode body, List<FieldError> errors) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        for (String field : body.propertyNames()) {
            FieldType type = fields.get(field);
            if (type != null) {
                if (!body.get(field).isNull() || required.contains(field)) {
                    type.check("/" + field, body.get(field), errors);
                }
                payload.set(field, body.get(field));
            } else if (!SERVER_MANAGED.contains(field) && !field.equals(nameField)) {
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
