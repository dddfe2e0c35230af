package dev.controlplane.standalone;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.OpenApi;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document as a test's caller holds the API to it: every request body the API accepted and every
 * response body it sent must be of a media type the operation lists and validate against that type's schema.
 * {@link Api} checks each exchange as it happens, so any test that meets a difference fails where it met it,
 * whichever other tests run in the same JVM.
 */
final class Contract {

    static final ObjectNode DOCUMENT = OpenApi.document();
    /** What was checked, {@code "operationId request application/json"} or {@code "operationId 200 application/json"}. */
    static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
    private static final List<Map.Entry<Pattern, String>> TEMPLATES = templates();

    private Contract() {
    }

    /** The operation a request went to, under its path template in the document. */
    record Operation(String template, ObjectNode node) {
        String id() {
            return node.path("operationId").asString();
        }
    }

    /** Empty for a path or method the document does not have. */
    static Optional<Operation> operation(String method, String path) {
        return TEMPLATES.stream().filter(template -> template.getKey().matcher(path).matches())
                .filter(template -> DOCUMENT.path("paths").path(template.getValue()).path(method.toLowerCase()).isObject())
                .map(template -> new Operation(template.getValue(),
                        (ObjectNode) DOCUMENT.path("paths").path(template.getValue()).path(method.toLowerCase())))
                .findFirst();
    }

    /** What is wrong with one exchange, as the document describes its operation; empty when nothing is. */
    static List<String> violations(String method, String path, String requestType, String requestBody,
                                   int status, String responseType, String responseBody) {
        Optional<Operation> found = operation(method, path);
        if (found.isEmpty()) {
            return List.of();
        }
        Operation operation = found.get();
        List<String> violations = new ArrayList<>();
        if (status / 100 == 2 && requestBody != null && !requestBody.isEmpty()) {
            check(operation, "request", operation.node().path("requestBody").path("content"), requestType, requestBody, violations);
        }
        JsonNode response = resolve(operation.node().path("responses").path(String.valueOf(status)));
        if (!response.isMissingNode() && responseBody != null && !responseBody.isEmpty()) {
            check(operation, String.valueOf(status), response.path("content"), responseType, responseBody, violations);
        }
        return violations;
    }

    private static void check(Operation operation, String what, JsonNode content, String contentType, String body, List<String> violations) {
        String mediaType = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase();
        String where = operation.id() + " " + what + " " + mediaType;
        JsonNode media = content.path(mediaType);
        if (media.isMissingNode()) {
            violations.add(where + ": the document lists only " + content.propertyNames() + " for " + operation.id() + " " + what);
            return;
        }
        CHECKED.add(where);
        if (!mediaType.endsWith("json") || media.path("schema").isMissingNode()) {
            return;
        }
        Schema schema = SCHEMAS.computeIfAbsent(where, key -> compile(media.get("schema")));
        schema.validate(body, InputFormat.JSON).forEach(error -> violations.add(where + ": " + error + " in " + abbreviated(body)));
    }

    /** A schema of the document, with the document's components beside it so that its $refs resolve. */
    private static Schema compile(JsonNode schema) {
        ObjectNode root = Envelopes.MAPPER.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("components", DOCUMENT.get("components"));
        root.putArray("allOf").add(schema);
        return REGISTRY.getSchema(root.toString(), InputFormat.JSON);
    }

    static JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        JsonNode target = DOCUMENT;
        for (String step : node.get("$ref").asString().substring(2).split("/")) {
            target = target.path(step);
        }
        return target;
    }

    /** Path templates as patterns, literal ones first, so /api/v1/webhooks/{name}/rotate is not taken for another. */
    private static List<Map.Entry<Pattern, String>> templates() {
        List<String> paths = new ArrayList<>(DOCUMENT.path("paths").propertyNames());
        paths.sort(Comparator.comparingInt((String path) -> path.split("\\{").length).thenComparing(Comparator.naturalOrder()));
        return paths.stream().map(path -> Map.entry(template(path), path)).toList();
    }

    static Pattern template(String path) {
        return Pattern.compile(Pattern.quote(path).replaceAll("\\{[a-z_]+}", "\\\\E[^/]+\\\\Q"));
    }

    private static String abbreviated(String body) {
        return body.length() <= 400 ? body : body.substring(0, 400) + "…";
    }
}
