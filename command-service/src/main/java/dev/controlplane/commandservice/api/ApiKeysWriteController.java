package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.JsonBodies;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.TokenSecrets;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.Problem.FieldError;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.FieldType;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the API keys, one document ({@link ResourceKinds#API_KEYS}) whose version is the ETag of them all:
 * {@code POST} adds a key and shows its generated secret once; {@code PATCH /{name}} changes a key's description;
 * {@code DELETE /{name}} removes it; {@code PUT} replaces them all in one command. A secret is hashed here, before
 * any command is written, so neither the log nor the audit store ever holds it.
 */
@RestController
class ApiKeysWriteController {

    private static final ResourceKind KIND = ResourceKinds.API_KEYS;
    private static final ResourceRef RESOURCE = new ResourceRef(KIND.name(), KIND.singleton());
    private static final FieldType NEW_KEY = FieldType.object(Map.of(
            "name", ResourceKind.NAME_TYPE, "description", FieldType.string(0, 1024)), Set.of("name"));
    private static final FieldType KEY_PATCH = FieldType.object(Map.of("description", FieldType.string(0, 1024)), Set.of());
    private static final FieldType REPLACEMENT = FieldType.object(Map.of("items", FieldType.arrayOf(FieldType.object(Map.of(
            "name", ResourceKind.NAME_TYPE,
            "description", FieldType.string(0, 1024),
            "key", FieldType.string(24, 256)), Set.of("name")), 0, 1000)), Set.of("items"));
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final CommandRunner runner;
    private final IssuedSecrets secrets;

    ApiKeysWriteController(CommandRunner runner, IssuedSecrets secrets) {
        this.runner = runner;
        this.secrets = secrets;
    }

    @PostMapping("/api/v1/api-keys")
    ResponseEntity<byte[]> add(HttpServletRequest request) {
        JsonNode body = checked(NEW_KEY, JsonBodies.read(request, ResourceWriteController.MAX_BODY_BYTES));
        CommandFactory.Ids id = CommandFactory.ids(request);
        String secret = secrets.apiKey(id.secretSeed(), body.path("name").asString());
        ObjectNode key = ((ObjectNode) body).deepCopy();
        key.put(ResourceKind.ITEM_SECRET_HASH, TokenSecrets.hash(secret));
        key.put("masked", TokenSecrets.mask(secret));
        String name = key.path("name").asString();
        return item(request, id, CommandTypes.ADD_ITEM, ExpectedVersion.ANY, name, key, decided -> {
            ObjectNode view = view(find(decided.body(), name));
            view.put("key", secret);
            decided.headers().set(HttpHeaders.LOCATION, "/api/v1/api-keys/" + name);
            return JsonResponses.json(201, decided.headers(), view);
        });
    }

    @PatchMapping("/api/v1/api-keys/{name}")
    ResponseEntity<byte[]> patch(@PathVariable String name, @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                 HttpServletRequest request) {
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        JsonNode patch = checked(KEY_PATCH, JsonBodies.read(request, ResourceWriteController.MAX_BODY_BYTES));
        return item(request, CommandFactory.ids(request), CommandTypes.PATCH_ITEM, expected, name, (ObjectNode) patch,
                decided -> JsonResponses.json(200, decided.headers(), view(find(decided.body(), name))));
    }

    @DeleteMapping("/api/v1/api-keys/{name}")
    ResponseEntity<byte[]> delete(@PathVariable String name, @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                  HttpServletRequest request) {
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        return item(request, CommandFactory.ids(request), CommandTypes.REMOVE_ITEM, expected, name, null,
                decided -> ResponseEntity.noContent().headers(decided.headers()).build());
    }

    /**
     * Replaces every key at once. An item with {@code key} sets that secret; an item without one keeps the secret
     * of the existing key of that name, or gets a generated one, shown in this answer only.
     */
    @PutMapping("/api/v1/api-keys")
    ResponseEntity<byte[]> replace(@RequestHeader(value = "If-Match", required = false) String ifMatch, HttpServletRequest request) {
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        JsonNode body = checked(REPLACEMENT, JsonBodies.read(request, ResourceWriteController.MAX_BODY_BYTES));
        Map<String, String> generated = new HashMap<>();
        CommandFactory.Ids id = CommandFactory.ids(request);
        ObjectNode payload = JSON.objectNode();
        var keys = payload.putArray("keys");
        for (JsonNode item : body.get("items")) {
            ObjectNode key = JSON.objectNode();
            key.put("name", item.path("name").asString());
            if (item.has("description")) {
                key.set("description", item.get("description"));
            }
            String secret = item.has("key") ? item.get("key").asString() : secrets.apiKey(id.secretSeed(), item.path("name").asString());
            key.put(ResourceKind.ITEM_SECRET_HASH, TokenSecrets.hash(secret));
            key.put("masked", TokenSecrets.mask(secret));
            if (!item.has("key")) {
                key.put("proposed", true);
                generated.put(TokenSecrets.hash(secret), secret);
            }
            keys.add(key);
        }
        var command = CommandFactory.command(request, id, CommandTypes.UPDATE, RESOURCE, expected, payload, false);
        return runner.decide(KIND, command, null, decided -> {
            List<ObjectNode> items = new ArrayList<>();
            for (JsonNode key : decided.result().data().path("keys")) {
                ObjectNode view = view(key);
                String secret = generated.get(key.path(ResourceKind.ITEM_SECRET_HASH).asString());
                if (secret != null) {
                    view.put("key", secret);
                }
                items.add(view);
            }
            decided.headers().remove(HttpHeaders.LOCATION);
            return JsonResponses.json(200, decided.headers(), list(items));
        });
    }

    private ResponseEntity<byte[]> item(HttpServletRequest request, CommandFactory.Ids id, String verb, ExpectedVersion expected, String name,
                                        ObjectNode value, Function<CommandRunner.Decided, ResponseEntity<byte[]>> written) {
        if (!ResourceKind.NAME.matcher(name).matches()) {
            throw ApiException.notFound("no API key " + name);
        }
        ObjectNode payload = JSON.objectNode().put("item", name);
        if (value != null) {
            payload.set("value", value);
        }
        return runner.decide(KIND, CommandFactory.command(request, id, verb, RESOURCE, expected, payload, false), null, written);
    }

    private static JsonNode checked(FieldType type, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        type.check("", body, errors);
        if (!errors.isEmpty()) {
            throw new ApiException(new Problem("/problems/invalid-request", "Invalid request", 400,
                    errors.getFirst().field() + " " + errors.getFirst().message(), null, errors));
        }
        return body;
    }

    private static JsonNode find(JsonNode document, String name) {
        for (JsonNode key : document.path("keys")) {
            if (key.path("name").asString().equals(name)) {
                return key;
            }
        }
        return JSON.objectNode().put("name", name);
    }

    /** A key as the API shows it: never its hash. */
    private static ObjectNode view(JsonNode key) {
        ObjectNode view = ((ObjectNode) key).deepCopy();
        view.remove(ResourceKind.ITEM_SECRET_HASH);
        return view;
    }

    private static Map<String, Object> list(List<ObjectNode> items) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("type", "api_key");
        return body;
    }
}
