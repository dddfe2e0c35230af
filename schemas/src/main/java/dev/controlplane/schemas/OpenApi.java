package dev.controlplane.schemas;

import dev.controlplane.schemas.access.AccessRules;
import dev.controlplane.schemas.kinds.FieldType;
import dev.controlplane.schemas.kinds.SecretHandling;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI 3.1 document of the whole admin API, built from the kinds' declarations and the routes below. The
 * file kept in the repository ({@link #RESOURCE}, served at {@code /api/v1/openapi.json}) is this document written
 * out; tests fail when the two differ, and when the running API has an endpoint, parameter or status code the
 * document lacks.
 */
public final class OpenApi {

    public static final String RESOURCE = "dev/controlplane/schemas/openapi.json";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final String PROBLEM = "application/problem+json";

    private final ObjectNode document = JSON.objectNode();
    private final ObjectNode paths;
    private final ObjectNode schemas;

    private OpenApi() {
        document.put("openapi", "3.1.0");
        ObjectNode info = document.putObject("info");
        info.put("title", "Admin control plane API");
        info.put("version", "v1");
        info.put("description", "Every write is a versioned command decided by one writer per resource; ETags are event "
                + "sequence numbers. Writes need If-Match (\"*\" for any version) except creations; errors are RFC 9457 "
                + "problem documents. A write not decided within the reply bound answers 202 with a status URL.");
        document.putArray("servers").addObject().put("url", "/");
        document.putArray("security").addObject().putArray("bearerAuth");
        paths = document.putObject("paths");
        ObjectNode components = document.putObject("components");
        schemas = components.putObject("schemas");
        components.putObject("securitySchemes").putObject("bearerAuth").put("type", "http").put("scheme", "bearer");
    }

    public static ObjectNode document() {
        OpenApi api = new OpenApi();
        api.commonSchemas();
        for (ResourceKind kind : ResourceKinds.ALL) {
            if (!kind.isSingleton()) {
                api.collection(kind);
            }
        }
        api.config();
        api.apiKeys();
        api.webhooks();
        api.system();
        api.accessRules();
        api.conditionalReads();
        api.requestIds();
        api.tags();
        return api.document;
    }

    public static String render() {
        return PRETTY.writeValueAsString(document()) + "\n";
    }

    /** Writes the document under {@code args[0]} (the schemas module's resources directory). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "schemas/src/main/resources").resolve(RESOURCE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, render());
    }

    // --- the resources

    private void collection(ResourceKind kind) {
        String type = camel(kind.name());
        String plural = plural(type);
        String base = "/api/v1/" + kind.collection();
        schemas.set(type, shown(kind));
        schemas.set(type + "List", list(ref(type)));
        if (!kind.name().equals("license")) {
            schemas.set(type + "Create", createBody(kind));
        }
        if (kind.mutable()) {
            schemas.set(type + "Update", updateBody(kind));
            schemas.set(type + "Patch", mergePatch(updateBody(kind)));
        }

        ObjectNode collection = paths.putObject(base);
        ObjectNode list = operation(collection, "get", "list" + plural, kind.name(), "Lists the "
                + plural(label(kind)) + ": active ones unless include-non-active=true, in name order.");
        list.putArray("parameters").add(param("include-non-active", "query", bool(), false, "Include inactive resources"))
                .add(limitParam()).add(cursorParam()).add(refParam("Consistency"));
        ok(list, "200", ref(type + "List"), false);
        problems(list, 400, 401, 503);

        ObjectNode create = operation(collection, "post", "create" + type, kind.name(), "Creates " + article(label(kind))
                + (kind.secret() instanceof SecretHandling.None ? "." : "; the answer carries its secret as `"
                + kind.secret().answerField() + "`, shown this once."));
        create.putArray("parameters").add(refParam("IdempotencyKey"));
        body(create, kind.name().equals("license") ? ref("LicenseUpload") : ref(type + "Create"), false);
        created(create, ref(type), kind.mutable());
        accepted(create);
        problems(create, 400, 401, 409, 422, 503);

        ObjectNode one = paths.putObject(base + "/{name}");
        one.putArray("parameters").add(param("name", "path", ResourceKind.NAME_TYPE.schema(), true, "The resource's name"));
        ObjectNode get = operation(one, "get", "get" + type, kind.name(), "Reads one " + label(kind)
                + (kind.mutable() ? "; its ETag is its version." : "; it is immutable and has no ETag."));
        get.putArray("parameters").add(refParam("MinVersion")).add(refParam("Consistency"));
        ok(get, "200", ref(type), kind.mutable());
        problems(get, 400, 401, 404, 503);

        for (String method : List.of("put", "patch")) {
            boolean put = method.equals("put");
            ObjectNode change = operation(one, method, (put ? "update" : "patch") + type, kind.name(), !kind.mutable()
                    ? capitalized(article(label(kind))) + " cannot change after creation, so this always answers 405."
                    : put ? "Sets the fields given (others keep their value) on the version in If-Match; "
                    + "\"status\": \"inactive\" deactivates, \"active\" reactivates."
                    : "Applies a JSON merge patch (RFC 7396) on the version in If-Match; null removes a field.");
            if (kind.mutable()) {
                change.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"))
                        .add(param("force", "query", bool(), false,
                                "Deactivate even though active resources still refer to this one"));
                body(change, ref(type + (put ? "Update" : "Patch")), !put);
                ok(change, "200", ref(type), true);
                accepted(change);
                problems(change, 400, 401, 404, 405, 409, 412, 422, 428, 503);
            } else {
                // Read before the answer is known, like every write's If-Match.
                change.putArray("parameters").add(refParam("IfMatch"));
                problems(change, 401, 405);
            }
        }

        ObjectNode history = paths.putObject(base + "/{name}/history");
        history.putArray("parameters").add(param("name", "path", ResourceKind.NAME_TYPE.schema(), true, "The resource's name"));
        historyOperation(history, "get" + type + "History", kind.name());
    }

    private void config() {
        ResourceKind kind = ResourceKinds.CONFIG;
        ObjectNode config = shown(kind);
        // Before its first write the configuration is {} (at version 0), so no field is always there.
        config.remove("required");
        schemas.set("Config", config);
        schemas.set("ConfigUpdate", updateBody(kind));
        schemas.set("ConfigPatch", mergePatch(updateBody(kind)));
        for (String path : List.of("/api/v1/config", "/api/v1/config.yaml")) {
            boolean yamlPath = path.endsWith(".yaml");
            String suffix = yamlPath ? "Yaml" : "";
            ObjectNode item = paths.putObject(path);
            ObjectNode get = operation(item, "get", "getConfig" + suffix, "config", "Reads the configuration (YAML with "
                    + "Accept: application/yaml or at config.yaml). Before its first write it is {} at version 0.");
            get.putArray("parameters").add(refParam("MinVersion")).add(refParam("Consistency"));
            ObjectNode content = ok(get, "200", ref("Config"), true);
            content.putObject("application/yaml").set("schema", ref("Config"));
            problems(get, 400, 401, 503);
            ObjectNode put = operation(item, "put", "updateConfig" + suffix, "config", "Sets the sections given, as JSON or "
                    + "YAML (by Content-Type), on the version in If-Match (\"0\" or \"*\" for the first write).");
            put.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
            ObjectNode request = body(put, ref("ConfigUpdate"), false);
            ((ObjectNode) request.get("content")).putObject("application/yaml").set("schema", ref("ConfigUpdate"));
            ObjectNode answer = ok(put, "200", ref("Config"), true);
            answer.putObject("application/yaml").set("schema", ref("Config"));
            accepted(put);
            problems(put, 400, 401, 412, 428, 503);
            if (!yamlPath) {
                ObjectNode patch = operation(item, "patch", "patchConfig", "config",
                        "Applies a JSON merge patch (RFC 7396) to the configuration on the version in If-Match.");
                patch.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
                body(patch, ref("ConfigPatch"), true);
                ok(patch, "200", ref("Config"), true);
                accepted(patch);
                problems(patch, 400, 401, 412, 428, 503);
            }
        }
        historyOperation(paths.putObject("/api/v1/config/history"), "getConfigHistory", "config");
    }

    private void apiKeys() {
        ObjectNode key = object(Map.of(
                "name", ResourceKind.NAME_TYPE.schema(),
                "description", FieldType.string(0, 1024).schema(),
                "masked", JSON.objectNode().put("type", "string").put("description", "The key's prefix and last characters"),
                "created_at", FieldType.timestamp().schema(),
                "key", JSON.objectNode().put("type", "string").put("description", "The secret: only in the answer that created it")),
                Set.of("name", "masked"));
        schemas.set("ApiKey", key);
        schemas.set("ApiKeyList", object(Map.of("items", array(ref("ApiKey")), "type", JSON.objectNode().put("const", "api_key")),
                Set.of("items", "type")));
        schemas.set("ApiKeyCreate", object(Map.of("name", ResourceKind.NAME_TYPE.schema(),
                "description", FieldType.string(0, 1024).schema()), Set.of("name")));
        schemas.set("ApiKeyPatch", object(Map.of("description", FieldType.string(0, 1024).schema()), Set.of()));
        schemas.set("ApiKeyReplacement", object(Map.of("items", array(object(Map.of(
                "name", ResourceKind.NAME_TYPE.schema(),
                "description", FieldType.string(0, 1024).schema(),
                "key", FieldType.string(24, 256).schema()), Set.of("name")))), Set.of("items")));

        ObjectNode all = paths.putObject("/api/v1/api-keys");
        ObjectNode list = operation(all, "get", "listApiKeys", "api_keys", "Lists the API keys, masked. The ETag is the "
                + "version of the keys as a whole.");
        list.putArray("parameters").add(refParam("MinVersion")).add(refParam("Consistency"));
        ok(list, "200", ref("ApiKeyList"), true);
        problems(list, 400, 401, 503);
        ObjectNode add = operation(all, "post", "createApiKey", "api_keys", "Adds a key; its secret is generated and shown "
                + "in this answer only.");
        add.putArray("parameters").add(refParam("IdempotencyKey"));
        body(add, ref("ApiKeyCreate"), false);
        created(add, ref("ApiKey"), true);
        accepted(add);
        problems(add, 400, 401, 409, 503);
        ObjectNode replace = operation(all, "put", "replaceApiKeys", "api_keys", "Replaces every key in one command, all or "
                + "nothing. An item without `key` keeps the secret of the existing key of its name, or gets a generated one "
                + "(shown in this answer only).");
        replace.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
        body(replace, ref("ApiKeyReplacement"), false);
        ok(replace, "200", ref("ApiKeyList"), true);
        accepted(replace);
        problems(replace, 400, 401, 412, 428, 503);

        historyOperation(paths.putObject("/api/v1/api-keys/history"), "getApiKeysHistory", "api_keys");

        ObjectNode one = paths.putObject("/api/v1/api-keys/{name}");
        one.putArray("parameters").add(param("name", "path", ResourceKind.NAME_TYPE.schema(), true, "The key's name"));
        ObjectNode patch = operation(one, "patch", "patchApiKey", "api_keys", "Changes one key's description.");
        patch.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
        body(patch, ref("ApiKeyPatch"), true);
        ok(patch, "200", ref("ApiKey"), true);
        accepted(patch);
        problems(patch, 400, 401, 404, 412, 428, 503);
        ObjectNode delete = operation(one, "delete", "deleteApiKey", "api_keys", "Removes one key.");
        delete.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
        delete.withObjectProperty("responses").putObject("204").put("description", "Removed").putObject("headers")
                .set("ETag", ref("#/components/headers/ETag"));
        accepted(delete);
        problems(delete, 401, 404, 412, 428, 503);
    }

    private void webhooks() {
        ObjectNode attempt = object(Map.of(
                "attempt", JSON.objectNode().put("type", "integer"), "at", FieldType.timestamp().schema(),
                "status_code", nullable("integer"), "latency_ms", int64(), "response_body", nullable("string"),
                "error", nullable("string")), Set.of("attempt", "at", "latency_ms"));
        schemas.set("WebhookAttempt", attempt);
        schemas.set("WebhookDelivery", object(Map.of(
                "id", int64(), "event_id", JSON.objectNode().put("type", "string"), "event_type", JSON.objectNode().put("type", "string"),
                "status", JSON.objectNode().put("type", "string"), "attempt_count", JSON.objectNode().put("type", "integer"),
                "created_at", FieldType.timestamp().schema(), "next_attempt_at", nullable("string"),
                "attempts", array(ref("WebhookAttempt"))), Set.of("id", "event_id", "status", "attempts")));
        schemas.set("WebhookDeliveryList", list(ref("WebhookDelivery")));
        ObjectNode name = param("name", "path", ResourceKind.NAME_TYPE.schema(), true, "The webhook's name");

        ObjectNode rotate = paths.putObject("/api/v1/webhooks/{name}/rotate-secret");
        rotate.putArray("parameters").add(name.deepCopy());
        ObjectNode rotation = operation(rotate, "post", "rotateWebhookSecret", "webhook", "Issues a new signing secret, "
                + "shown in this answer only; the previous one still signs deliveries for the configured overlap.");
        rotation.putArray("parameters").add(refParam("IfMatch")).add(refParam("IdempotencyKey"));
        ok(rotation, "200", ref("Webhook"), true);
        accepted(rotation);
        problems(rotation, 400, 401, 404, 412, 428, 503);

        ObjectNode deliveries = paths.putObject("/api/v1/webhooks/{name}/deliveries");
        deliveries.putArray("parameters").add(name.deepCopy());
        ObjectNode list = operation(deliveries, "get", "listWebhookDeliveries", "webhook",
                "The attempt log: deliveries newest first, each with its attempts (status code, latency, the first KiB of the answer).");
        list.putArray("parameters")
                .add(param("status", "query", FieldType.oneOf(Set.of("pending", "succeeded", "failed")).schema(), false, "Only these"))
                .add(param("since", "query", FieldType.timestamp().schema(), false, "Created at or after"))
                .add(param("until", "query", FieldType.timestamp().schema(), false, "Created before"))
                .add(limitParam()).add(cursorParam());
        ok(list, "200", ref("WebhookDeliveryList"), false);
        problems(list, 400, 401, 404);

        ObjectNode redeliver = paths.putObject("/api/v1/webhooks/{name}/deliveries/{id}/redeliver");
        redeliver.putArray("parameters").add(name.deepCopy())
                .add(param("id", "path", JSON.objectNode().put("type", "string"), true, "The delivery's id"));
        ObjectNode again = operation(redeliver, "post", "redeliverWebhookDelivery", "webhook", "Sends one delivery again.");
        again.withObjectProperty("responses").putObject("202").put("description", "Queued").putObject("content")
                .putObject("application/json").putObject("schema").put("type", "object");
        problems(again, 401, 404);

        ObjectNode recover = paths.putObject("/api/v1/webhooks/{name}/recover");
        recover.putArray("parameters").add(name.deepCopy());
        ObjectNode recovery = operation(recover, "post", "recoverWebhookDeliveries", "webhook",
                "Sends again every failed delivery created since a time.");
        recovery.putArray("parameters").add(param("since", "query", FieldType.timestamp().schema(), true, "From this time"));
        recovery.withObjectProperty("responses").putObject("202").put("description", "Queued").putObject("content")
                .putObject("application/json").putObject("schema").put("type", "object");
        problems(recovery, 400, 401, 404);
    }

    private void system() {
        ObjectNode command = paths.putObject("/api/v1/commands/{id}");
        command.putArray("parameters").add(param("id", "path", JSON.objectNode().put("type", "string"), true, "The command id"));
        ObjectNode status = operation(command, "get", "getCommand", "commands",
                "The outcome of a command that was answered 202: pending, accepted (with its version) or rejected (with its problem).");
        ok(status, "200", ref("CommandStatus"), false);
        problems(status, 401, 404);

        ObjectNode audit = operation(paths.putObject("/api/v1/audit"), "get", "queryAudit", "audit",
                "Audit records, filtered (AND) by actor, action (comma list of kind.verb or bare verbs), time and resource.");
        audit.putArray("parameters")
                .add(param("actor", "query", JSON.objectNode().put("type", "string"), false, "Who acted"))
                .add(param("action", "query", JSON.objectNode().put("type", "string"), false, "tenant.update,create …"))
                .add(param("since", "query", FieldType.timestamp().schema(), false, "From this time (ISO 8601), inclusive"))
                .add(param("until", "query", FieldType.timestamp().schema(), false, "Before this time (ISO 8601)"))
                .add(param("resource", "query", JSON.objectNode().put("type", "string"), false, "kind or kind/name"))
                .add(orderParam("desc")).add(limitParam()).add(cursorParam());
        ok(audit, "200", ref("AuditPage"), false);
        problems(audit, 400, 401);

        ObjectNode features = operation(paths.putObject("/api/v1/features"), "get", "getFeatures", "system",
                "The product's name, version and feature flags.");
        ok(features, "200", ref("Features"), false);
        problems(features, 401);
        ObjectNode health = operation(paths.putObject("/api/v1/status"), "get", "getStatus", "system",
                "Version, the Kafka brokers and topics in use, and every consumer of the log with its lag.");
        ok(health, "200", ref("Status"), false);
        problems(health, 401);
        ObjectNode rebuilds = paths.putObject("/api/v1/rebuilds/{store}");
        rebuilds.putArray("parameters").add(param("store", "path", FieldType.oneOf(Set.copyOf(Stores.REBUILDABLE)).schema(), true,
                "The store to rebuild"));
        ObjectNode rebuild = operation(rebuilds, "post", "startRebuild", "system", "Rebuilds a store from the log into fresh "
                + "tables while the live one serves, and switches over once caught up: the rebuilt rows equal the live ones, "
                + "and cursors and ids stay valid. Asked of the service that owns the store (a query service: read-model, "
                + "audit; a webhook dispatcher: webhooks), which answers 404 for the others. Needs the database's owner role "
                + "on PostgreSQL.");
        ObjectNode started = rebuild.withObjectProperty("responses").putObject("202").put("description", "Started");
        started.putObject("headers").set("Location", ref("#/components/headers/Location"));
        started.putObject("content").putObject("application/json").set("schema", ref("Rebuild"));
        problems(rebuild, 401, 404, 409);
        ObjectNode rebuildProgress = operation(rebuilds, "get", "getRebuild", "system",
                "The store's latest rebuild: its state, the records read of the log's total, the rate and the time left.");
        ok(rebuildProgress, "200", ref("Rebuild"), false);
        problems(rebuildProgress, 401, 404);
        schemas.set("Rebuild", object(Map.ofEntries(
                Map.entry("store", JSON.objectNode().put("type", "string")),
                Map.entry("state", FieldType.oneOf(Set.of("replaying", "switching", "done", "failed")).schema()),
                Map.entry("records", int64().put("description", "Records of the log read (a transaction marker counts as one)")),
                Map.entry("total", int64().put("description", "Records in the log, as last looked")),
                Map.entry("records_per_second", JSON.objectNode().put("type", "number")),
                Map.entry("seconds_left", nullable("integer")),
                Map.entry("switch_tries", JSON.objectNode().put("type", "integer")
                        .put("description", "Times the live store was held still to switch; a try that could not catch up lets it go")),
                Map.entry("dead_letters", int64().put("description", "Records the rebuilt store refused or could not read, "
                        + "set aside as its dead letters (the live projector set them aside too)")),
                Map.entry("started_at", FieldType.timestamp().schema()),
                Map.entry("finished_at", nullable("string")),
                Map.entry("error", nullable("string"))), Set.of("store", "state", "records", "total", "started_at")));
        ObjectNode openapi = operation(paths.putObject("/api/v1/openapi.json"), "get", "getOpenApi", "system", "This document.");
        ok(openapi, "200", JSON.objectNode().put("type", "object"), false);
        problems(openapi, 401);
        schemas.set("Whoami", object(Map.of(
                "identity", JSON.objectNode().put("type", "string").put("description", "The audit actor: kind:name"),
                "kind", FieldType.oneOf(Set.of("token", "user", "bootstrap", "metrics")).schema(),
                "name", JSON.objectNode().put("type", "string"),
                "scopes", array(JSON.objectNode().put("type", "string")),
                "realms", array(JSON.objectNode().put("type", "string")).put("description", "Tenants the caller is bound to; [\"*\"] for all"),
                "expires_at", nullable("string")), Set.of("identity", "kind", "name", "scopes", "realms")));
        ObjectNode whoami = operation(paths.putObject("/api/v1/whoami"), "get", "whoami", "system",
                "The caller: its identity, kind (token, user, bootstrap), scopes, realms and expiry.");
        ok(whoami, "200", ref("Whoami"), false);
        problems(whoami, 401);
        ObjectNode metrics = operation(paths.putObject("/metrics"), "get", "getMetrics", "system", "Metrics in Prometheus "
                + "text format. Open when no metrics token is configured; otherwise the metrics token or a caller with metrics:read.");
        metrics.withObjectProperty("responses").putObject("200").put("description", "OK").putObject("content")
                .putObject("text/plain").putObject("schema").put("type", "string");
        problems(metrics, 401);
        health(paths, "/health", "getHealth", "Health; needs no token. 503 while a view of the log that decisions or "
                + "authorizations rely on is not current.", "A view of the log is not current");
        health(paths, "/health/readiness", "getReadiness", "Readiness for a load balancer; needs no token. The same as "
                + "/health: 503 while Kafka, a store or a view this instance relies on is not current.", "Not ready");
        health(paths, "/health/liveness", "getLiveness", "Liveness; needs no token. 200 while the process serves; 503 only "
                + "when a part of it stopped for good (a restart is the cure).", "Stopped for good");
    }

    /**
     * Writes each operation's access rule into the document: {@code security} lists the scopes that grant it
     * (OpenAPI 3.1 allows role names for an http scheme), {@code x-required-scope} the one a 403 names. An operation
     * without a rule is a build failure, so no endpoint is added without deciding who may call it.
     */
    private void accessRules() {
        paths.properties().forEach(path -> ((ObjectNode) path.getValue()).properties().forEach(entry -> {
            if (entry.getKey().equals("parameters")) {
                return;
            }
            ObjectNode operation = (ObjectNode) entry.getValue();
            String method = entry.getKey().toUpperCase();
            AccessRules.Rule rule = AccessRules.of(method, path.getKey()).orElseThrow(() -> new IllegalStateException(
                    "no access rule for " + method + " " + path.getKey() + ": add one to AccessRules"));
            switch (rule) {
                case AccessRules.Open open -> operation.putArray("security");
                case AccessRules.Authenticated authenticated -> operation.putArray("security").addObject().putArray("bearerAuth");
                case AccessRules.Scoped scoped -> {
                    ArrayNode grants = operation.putArray("security").addObject().putArray("bearerAuth");
                    scoped.grants().forEach(grants::add);
                    operation.put("x-required-scope", scoped.scope());
                    operation.withObjectProperty("responses").set("403", ref("#/components/responses/403"));
                }
            }
            if (!(rule instanceof AccessRules.Open)) {
                operation.withObjectProperty("responses").set("429", ref("#/components/responses/429"));
            }
        }));
    }

    /** A GET of something versioned answers 304 to an If-None-Match naming the current version (Spring's ETag support). */
    private void conditionalReads() {
        paths.properties().forEach(path -> {
            JsonNode get = path.getValue().path("get");
            if (get.path("responses").path("200").path("headers").has("ETag")) {
                ObjectNode operation = (ObjectNode) get;
                operation.withArrayProperty("parameters").add(refParam("IfNoneMatch"));
                operation.withObjectProperty("responses").putObject("304").put("description",
                        "Not modified: the ETag in If-None-Match is the current version").putObject("headers")
                        .set("ETag", ref("#/components/headers/ETag"));
            }
        });
    }

    /**
     * Every operation reads {@code X-Request-Id} (a caller's id for the request, kept if it is a plain token of up to
     * 128 characters) and every answer carries the id the request was logged and audited under.
     */
    private void requestIds() {
        operations().forEach(operation -> {
            operation.withArrayProperty("parameters").add(refParam("RequestId"));
            operation.withObjectProperty("responses").properties().forEach(response -> {
                if (!response.getValue().has("$ref")) {
                    ((ObjectNode) response.getValue()).withObjectProperty("headers").set("X-Request-Id", ref("#/components/headers/RequestId"));
                }
            });
        });
        ((ObjectNode) document.get("components")).withObjectProperty("responses").properties().forEach(response ->
                ((ObjectNode) response.getValue()).withObjectProperty("headers").set("X-Request-Id", ref("#/components/headers/RequestId")));
    }

    /** The document's tags, in the order their operations first appear, each with what it groups. */
    private void tags() {
        Set<String> used = new java.util.LinkedHashSet<>();
        operations().forEach(operation -> operation.path("tags").forEach(tag -> used.add(tag.asString())));
        ArrayNode tags = document.putArray("tags");
        for (String tag : used) {
            String description = switch (tag) {
                case "config" -> "The system's configuration: one versioned document, as JSON or YAML";
                case "api_keys" -> "The API keys of the system, one versioned document of named keys";
                case "commands" -> "The outcome of a write answered 202 (not decided within the reply bound)";
                case "audit" -> "The audit trail: every change and security event, filtered by actor, action, resource and time";
                case "system" -> "Health, metrics, features, status, the caller's identity and this document";
                default -> ResourceKinds.ALL.stream().filter(kind -> kind.name().equals(tag)).findFirst()
                        .map(kind -> "The " + plural(label(kind)) + (kind.mutable()
                                ? ": create, read, change, deactivate and reactivate, and each one's history"
                                : ": create and read (they cannot change), and each one's history"))
                        .orElseThrow(() -> new IllegalStateException("no description for tag " + tag));
            };
            tags.addObject().put("name", tag).put("description", description);
        }
    }

    private List<ObjectNode> operations() {
        List<ObjectNode> operations = new java.util.ArrayList<>();
        paths.properties().forEach(path -> ((ObjectNode) path.getValue()).properties().forEach(entry -> {
            if (!entry.getKey().equals("parameters")) {
                operations.add((ObjectNode) entry.getValue());
            }
        }));
        return operations;
    }

    private void historyOperation(ObjectNode item, String operationId, String tag) {
        ObjectNode history = operation(item, "get", operationId, tag,
                "The resource's events, oldest first (order=desc for newest first): version, type, actor, time, what changed.");
        history.putArray("parameters").add(orderParam("asc")).add(limitParam()).add(cursorParam());
        ok(history, "200", ref("History"), false);
        problems(history, 400, 401, 404);
    }

    // --- shared pieces

    private void commonSchemas() {
        ObjectNode problem = object(Map.of(
                "type", JSON.objectNode().put("type", "string"),
                "title", JSON.objectNode().put("type", "string"),
                "status", JSON.objectNode().put("type", "integer"),
                "detail", JSON.objectNode().put("type", "string"),
                "current_version", int64().put("description", "On 412: the version to read"),
                "errors", array(object(Map.of("field", JSON.objectNode().put("type", "string"),
                        "message", JSON.objectNode().put("type", "string")), Set.of("field", "message")))),
                Set.of("type", "title", "status"));
        schemas.set("Problem", problem);
        schemas.set("Pending", object(Map.of("id", JSON.objectNode().put("type", "string"),
                "status", JSON.objectNode().put("const", "pending"), "status_url", JSON.objectNode().put("type", "string")),
                Set.of("id", "status")));
        // A command refused as malformed may lack its type or resource: its status says so with nulls.
        schemas.set("CommandStatus", object(Map.of("id", JSON.objectNode().put("type", "string"),
                "status", JSON.objectNode().put("type", "string"), "type", nullable("string"),
                "resource", nullable("object"), "version", nullable("integer"),
                "problem", ref("Problem"), "decided_at", FieldType.timestamp().schema()), Set.of("id", "status")));
        ObjectNode change = JSON.objectNode().put("type", "object");
        ObjectNode record = object(Map.of(
                "id", int64(), "event_id", JSON.objectNode().put("type", "string"),
                "occurred_at", FieldType.timestamp().schema(), "actor", JSON.objectNode().put("type", "string"),
                "action", JSON.objectNode().put("type", "string"), "resource", JSON.objectNode().put("type", "object"),
                "version", int64(), "command_id", JSON.objectNode().put("type", "string"),
                "request", JSON.objectNode().put("type", "object"), "changes", change), Set.of("id", "action", "actor"));
        schemas.set("AuditRecord", record);
        schemas.set("AuditPage", list(ref("AuditRecord")));
        schemas.set("HistoryEntry", object(Map.of(
                "version", int64(), "type", JSON.objectNode().put("type", "string"),
                "occurred_at", FieldType.timestamp().schema(), "actor", JSON.objectNode().put("type", "string"),
                "event_id", JSON.objectNode().put("type", "string"), "request_id", nullable("string"), "changes", change),
                Set.of("version", "type")));
        ObjectNode history = list(ref("HistoryEntry"));
        ((ObjectNode) history.get("properties")).putObject("resource").put("type", "object");
        schemas.set("History", history);
        ObjectNode upload = ResourceKinds.LICENSE_UPLOAD.schema();
        ((ObjectNode) upload.path("properties").path("license")).put("description", "The signed license (a JWT)");
        schemas.set("LicenseUpload", upload);
        schemas.set("Features", object(Map.of("name", JSON.objectNode().put("type", "string"),
                "version", JSON.objectNode().put("type", "string"),
                "features", JSON.objectNode().put("type", "object").set("additionalProperties", JSON.objectNode().put("type", "string"))),
                Set.of("name", "version", "features")));
        schemas.set("Status", JSON.objectNode().put("type", "object"));

        ObjectNode components = (ObjectNode) document.get("components");
        ObjectNode parameters = components.putObject("parameters");
        parameters.set("IfMatch", param("If-Match", "header", JSON.objectNode().put("type", "string"), true,
                "The version you read, quoted as its ETag (\"3\"), or * for any version"));
        parameters.set("IdempotencyKey", param("Idempotency-Key", "header", FieldType.string(1, 255).schema(), false,
                "A retry with the same key gets the first outcome and writes nothing more"));
        parameters.set("MinVersion", param("min_version", "query", int64().put("minimum", 1), false,
                "Wait (bounded) until the read model has at least this version"));
        parameters.set("Consistency", param("consistency", "query", JSON.objectNode().put("type", "string")
                        .set("enum", JSON.arrayNode().add("strong").add("eventual")), false,
                "strong (the default): answered once the read model has applied the log as it stood when the request"
                        + " arrived, so a write acknowledged by any instance is seen; eventual: answered at once from the"
                        + " read model as it is"));
        parameters.set("IfNoneMatch", param("If-None-Match", "header", JSON.objectNode().put("type", "string"), false,
                "The ETag you hold: 304 without a body while it is still the current version"));
        parameters.set("RequestId", param(RequestIds.HEADER, "header", JSON.objectNode().put("type", "string")
                        .put("pattern", RequestIds.PATTERN).put("maxLength", RequestIds.MAX_LENGTH), false,
                "Your id for this request, to find it in logs and audit records; any other value is replaced by a new id"));
        ObjectNode headers = components.putObject("headers");
        headers.putObject("RequestId").put("description", "The id this request was logged and audited under: yours if "
                + "you sent a valid X-Request-Id, otherwise a new one").putObject("schema").put("type", "string");
        headers.putObject("ETag").put("description", "The resource's version, quoted").putObject("schema").put("type", "string");
        headers.putObject("Location").put("description", "Where the resource or the command status is")
                .putObject("schema").put("type", "string");
        ObjectNode responses = components.putObject("responses");
        Map<Integer, String> meanings = Map.ofEntries(Map.entry(400, "Invalid request"),
                Map.entry(401, "Missing, wrong, expired or revoked bearer token"),
                Map.entry(403, "The caller lacks the scope this operation needs (named in the problem), or calls from a "
                        + "remote address while remote management is off"),
                Map.entry(404, "Not found (also a resource of a tenant outside the caller's realms)"),
                Map.entry(405, "The resource cannot change"), Map.entry(409, "Already exists, or still in use"),
                Map.entry(412, "If-Match names an older version"),
                Map.entry(422, "A reference names a missing or inactive resource, or a key was reused"),
                Map.entry(428, "If-Match is required"),
                Map.entry(429, "Too many requests, or too many failed authentications from this address: see Retry-After"),
                Map.entry(503, "Not decided or not visible in time, or the log is unavailable: retry"));
        new TreeMap<>(meanings).forEach((status, meaning) -> {
            ObjectNode response = responses.putObject(String.valueOf(status)).put("description", meaning);
            response.putObject("content").putObject(PROBLEM).set("schema", ref("Problem"));
        });
    }

    private ObjectNode shown(ResourceKind kind) {
        ObjectNode schema = kind.documentSchema();
        ObjectNode properties = (ObjectNode) schema.get("properties");
        kind.secret().hiddenFields().forEach(properties::remove);
        switch (kind.secret()) {
            case SecretHandling.Sealed sealed -> properties.putObject(sealed.answerField()).put("type", "string")
                    .put("description", "The signing secret (whsec_…): only in the creation and rotation answers");
            case SecretHandling.IssuedOnce issued -> {
                properties.putObject(issued.answerField()).put("type", "string").put("description", "The secret: only in the creation answer");
                properties.putObject("usable").put("type", "boolean").put("description", "Whether it can authenticate now: it "
                        + "is active, not expired, and its access policy is active (on reads, not in the creation answer)");
            }
            case SecretHandling.ItemSecrets items -> {
            }
            case SecretHandling.None none -> {
            }
        }
        return schema;
    }

    private static ObjectNode createBody(ResourceKind kind) {
        ObjectNode schema = JSON.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.set(kind.nameField(), ResourceKind.NAME_TYPE.schema());
        kind.fields().forEach((field, type) -> properties.set(field, type.schema()));
        ArrayNode required = schema.putArray("required").add(kind.nameField());
        new TreeSet<>(kind.required()).forEach(required::add);
        schema.put("description", "Server-managed fields (status, created_at, created_by, version) may be sent and are ignored.");
        return schema;
    }

    private static ObjectNode updateBody(ResourceKind kind) {
        ObjectNode schema = JSON.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        kind.fields().forEach((field, type) -> properties.set(field, type.schema()));
        if (!kind.isSingleton()) {
            properties.set("status", FieldType.oneOf(ResourceKind.STATUSES).schema());
        }
        schema.put("description", "name is ignored; created_at, created_by and version may be sent back as read, "
                + "and a different value is refused with 400.");
        return schema;
    }

    /** A health endpoint: open, 200 with the state of each view, or 503 with what is wrong. */
    private static void health(ObjectNode paths, String path, String id, String summary, String down) {
        ObjectNode health = operation(paths.putObject(path), "get", id, "system", summary);
        health.putArray("security");
        ok(health, "200", JSON.objectNode().put("type", "object"), false);
        health.withObjectProperty("responses").putObject("503").put("description", down)
                .putObject("content").putObject("application/json").putObject("schema").put("type", "object");
    }

    /** An operation; its summary is the first clause of {@code description}, for lists of operations. */
    private static ObjectNode operation(ObjectNode item, String method, String operationId, String tag, String description) {
        ObjectNode operation = item.putObject(method);
        operation.put("operationId", operationId);
        operation.putArray("tags").add(tag);
        operation.put("summary", summary(description));
        operation.put("description", description);
        operation.putObject("responses");
        return operation;
    }

    /** Adds a JSON success response; returns its content map so other media types can be added. */
    private static ObjectNode ok(ObjectNode operation, String status, ObjectNode schema, boolean etag) {
        ObjectNode response = operation.withObjectProperty("responses").putObject(status).put("description", "OK");
        if (etag) {
            response.putObject("headers").set("ETag", ref("#/components/headers/ETag"));
        }
        ObjectNode content = response.putObject("content");
        content.putObject("application/json").set("schema", schema);
        return content;
    }

    private static void created(ObjectNode operation, ObjectNode schema, boolean etag) {
        ObjectNode response = operation.withObjectProperty("responses").putObject("201").put("description", "Created");
        ObjectNode headers = response.putObject("headers");
        headers.set("Location", ref("#/components/headers/Location"));
        if (etag) {
            headers.set("ETag", ref("#/components/headers/ETag"));
        }
        response.putObject("content").putObject("application/json").set("schema", schema);
    }

    private static void accepted(ObjectNode operation) {
        ObjectNode response = operation.withObjectProperty("responses").putObject("202")
                .put("description", "Not decided within the reply bound: the Location reports the outcome later");
        response.putObject("headers").set("Location", ref("#/components/headers/Location"));
        response.putObject("content").putObject("application/json").set("schema", ref("Pending"));
    }

    private static void problems(ObjectNode operation, int... statuses) {
        for (int status : statuses) {
            operation.withObjectProperty("responses").set(String.valueOf(status), ref("#/components/responses/" + status));
        }
    }

    private static ObjectNode body(ObjectNode operation, ObjectNode schema, boolean mergePatch) {
        ObjectNode body = operation.putObject("requestBody").put("required", true);
        ObjectNode content = body.putObject("content");
        content.putObject("application/json").set("schema", schema);
        if (mergePatch) {
            content.putObject("application/merge-patch+json").set("schema", schema);
        }
        return body;
    }

    /**
     * The body of a JSON merge patch (RFC 7396) of documents of {@code schema}, as the server takes it: every field
     * optional, null (remove the field) allowed for each top-level field, and a value given checked whole against the
     * field's type (so a typed section's own fields are not nulled one by one).
     */
    private static ObjectNode mergePatch(JsonNode schema) {
        ObjectNode patch = (ObjectNode) schema.deepCopy();
        patch.remove("required");
        if (patch.get("properties") instanceof ObjectNode properties) {
            for (String field : List.copyOf(properties.propertyNames())) {
                properties.set(field, orNull(properties.get(field)));
            }
        }
        return patch;
    }

    private static ObjectNode orNull(JsonNode schema) {
        ObjectNode either = JSON.objectNode();
        either.putArray("anyOf").add(schema).addObject().put("type", "null");
        return either;
    }

    private static ObjectNode param(String name, String in, ObjectNode schema, boolean required, String description) {
        ObjectNode param = JSON.objectNode().put("name", name).put("in", in).put("required", required).put("description", description);
        param.set("schema", schema);
        return param;
    }

    private static ObjectNode refParam(String name) {
        return ref("#/components/parameters/" + name);
    }

    private static ObjectNode limitParam() {
        return param("limit", "query", JSON.objectNode().put("type", "integer").put("minimum", 1).put("maximum", 1000).put("default", 100),
                false, "Page size");
    }

    private static ObjectNode cursorParam() {
        return param("cursor", "query", JSON.objectNode().put("type", "string"), false, "The next_cursor of the previous page");
    }

    private static ObjectNode orderParam(String defaultOrder) {
        ObjectNode schema = FieldType.oneOf(Set.of("asc", "desc")).schema().put("default", defaultOrder);
        return param("order", "query", schema, false, "asc (oldest first) or desc (newest first)");
    }

    private static ObjectNode list(ObjectNode item) {
        ObjectNode schema = object(Map.of("items", array(item), "type", JSON.objectNode().put("type", "string"),
                "next_cursor", nullable("string")), Set.of("items", "type"));
        schema.remove("additionalProperties");
        return schema;
    }

    private static ObjectNode object(Map<String, ObjectNode> properties, Set<String> required) {
        ObjectNode schema = JSON.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        new TreeMap<>(properties).forEach(props::set);
        if (!required.isEmpty()) {
            ArrayNode names = schema.putArray("required");
            new TreeSet<>(required).forEach(names::add);
        }
        return schema;
    }

    private static ObjectNode array(ObjectNode items) {
        ObjectNode schema = JSON.objectNode().put("type", "array");
        schema.set("items", items);
        return schema;
    }

    private static ObjectNode nullable(String type) {
        ObjectNode schema = JSON.objectNode();
        schema.putArray("type").add(type).add("null");
        return schema;
    }

    private static ObjectNode int64() {
        return JSON.objectNode().put("type", "integer").put("format", "int64");
    }

    private static ObjectNode bool() {
        return JSON.objectNode().put("type", "boolean").put("default", false);
    }

    private static ObjectNode ref(String target) {
        return JSON.objectNode().put("$ref", target.startsWith("#") ? target : "#/components/schemas/" + target);
    }

    private static String summary(String description) {
        int end = description.length();
        for (String stop : List.of(". ", "; ", ": ", " (")) {
            int at = description.indexOf(stop);
            if (at > 0) {
                end = Math.min(end, at);
            }
        }
        String first = description.substring(0, end);
        return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    }

    private static String label(ResourceKind kind) {
        return kind.name().replace('_', ' ');
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String article(String noun) {
        // "a user", "an access policy": the kinds' names start with a vowel sound only where the letter is a, e, i or o.
        return ("aeio".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }

    private static String plural(String type) {
        return type.endsWith("y") ? type.substring(0, type.length() - 1) + "ies" : type + "s";
    }
}
