package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.EventVersions;
import dev.controlplane.schemas.EventVerb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema (draft 2020-12) of every event type the system writes, at the type's current schema version
 * ({@link EventVersions}), derived from the kinds' declarations. The files in
 * {@code src/main/resources/dev/controlplane/schemas/events/v<N>/} are these schemas written out ({@link #main}); a
 * test fails when they and the declarations disagree, so a change to a kind is a visible change to its contract.
 * When a type gets a new version its schema goes to the next directory, and the old file stays as it was: the
 * contract of the events already in the log.
 */
public final class EventSchemas {

    public static final String RESOURCE_ROOT = "dev/controlplane/schemas/events";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private EventSchemas() {
    }

    /**
     * The event types a kind can have: a creation; updates for kinds that change; soft deletes for kinds that are
     * collections (a single document is never deactivated).
     */
    public static List<EventVerb> verbs(ResourceKind kind) {
        if (!kind.mutable()) {
            return List.of(EventVerb.CREATED);
        }
        return kind.isSingleton() ? List.of(EventVerb.CREATED, EventVerb.UPDATED) : List.of(EventVerb.values());
    }

    /** Event type → its schema at its current version, for every event type. */
    public static Map<String, ObjectNode> all() {
        Map<String, ObjectNode> schemas = new LinkedHashMap<>();
        for (ResourceKind kind : ResourceKinds.ALL) {
            for (EventVerb verb : verbs(kind)) {
                schemas.put(verb.eventType(kind.name()), schema(kind, verb));
            }
        }
        return schemas;
    }

    /** Where the schema of one version of an event type is, relative to the resources' root. */
    public static String resource(String eventType, int version) {
        return RESOURCE_ROOT + "/v" + version + "/" + eventType + ".schema.json";
    }

    public static String render(ObjectNode schema) {
        return PRETTY.writeValueAsString(schema) + "\n";
    }

    static ObjectNode schema(ResourceKind kind, EventVerb verb) {
        String type = verb.eventType(kind.name());
        int version = EventVersions.current(type);
        ObjectNode schema = JSON.objectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("$id", "https://controlplane.dev/schemas/events/v" + version + "/" + type + ".schema.json");
        schema.put("title", type + " (event schema version " + version + ")");
        schema.put("type", "object");
        ArrayNode required = schema.putArray("required");
        List.of("id", "type", "schema_version", "resource", "sequence", "command_id", "actor", "occurred_at", "data", "changes")
                .forEach(required::add);
        schema.put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        properties.set("id", uuid());
        properties.putObject("type").put("const", type);
        properties.putObject("schema_version").put("const", version);
        ObjectNode resource = properties.putObject("resource").put("type", "object").put("additionalProperties", false);
        resource.putArray("required").add("kind").add("name");
        ObjectNode resourceProperties = resource.putObject("properties");
        resourceProperties.putObject("kind").put("const", kind.name());
        resourceProperties.set("name", ResourceKind.NAME_TYPE.schema());
        ObjectNode sequence = properties.putObject("sequence").put("type", "integer").put("minimum", 1);
        if (verb == EventVerb.CREATED) {
            sequence.put("const", 1);
        }
        properties.set("command_id", uuid());
        properties.putObject("actor").put("type", "string").put("minLength", 1);
        ObjectNode request = properties.putObject("request");
        request.putArray("type").add("object").add("null");
        ObjectNode requestProperties = request.putObject("properties");
        for (String field : List.of("request_id", "source_ip", "user_agent")) {
            requestProperties.putObject(field).putArray("type").add("string").add("null");
        }
        properties.putObject("occurred_at").put("type", "string").put("format", "date-time");
        ObjectNode data = kind.documentSchema();
        String status = verb == EventVerb.DEACTIVATED ? "inactive" : verb == EventVerb.UPDATED ? null : "active";
        if (status != null) {
            ((ObjectNode) data.get("properties")).putObject("status").put("const", status);
        }
        properties.set("data", data);
        ObjectNode change = JSON.objectNode().put("type", "object").put("additionalProperties", false);
        change.putArray("required").add("from").add("to");
        change.putObject("properties").set("from", JSON.objectNode());
        ((ObjectNode) change.get("properties")).set("to", JSON.objectNode());
        ObjectNode changes = properties.putObject("changes").put("type", "object");
        if (EventVersions.changesByPointer(type)) {
            changes.put("description", "keyed by the JSON Pointer (RFC 6901) of each value that changed");
            changes.putObject("propertyNames").put("pattern", "^(/([^~/]|~[01])*)+$");
        }
        changes.set("additionalProperties", change);
        return schema;
    }

    private static ObjectNode uuid() {
        return JSON.objectNode().put("type", "string").put("format", "uuid");
    }

    /** Writes every type's current schema under {@code args[0]} (the module's resources directory). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "schemas/src/main/resources");
        for (Map.Entry<String, ObjectNode> schema : all().entrySet()) {
            Path file = root.resolve(resource(schema.getKey(), EventVersions.current(schema.getKey())));
            Files.createDirectories(file.getParent());
            Files.writeString(file, render(schema.getValue()));
        }
    }
}
