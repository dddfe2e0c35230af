package dev.controlplane.commandservice.api;

import dev.controlplane.accesscontrol.AccessChecks;
import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.commandservice.gateway.ResultLookup;
import dev.controlplane.commandservice.gateway.GatewaySettings;
import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Collections;
import dev.controlplane.httpsupport.JsonBodies;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.TokenSecrets;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import dev.controlplane.schemas.kinds.SecretHandling;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Creates and updates resources of every kind: validate, send a command, wait (bounded) for its decision.
 * Nothing invalid reaches the command topic.
 */
@RestController
class ResourceWriteController {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private final CommandGateway gateway;
    private final CommandRunner runner;
    private final WebhookSecrets webhookSecrets;
    private final IssuedSecrets secrets;
    private final AccessChecks access;

    ResourceWriteController(CommandGateway gateway, CommandRunner runner, WebhookSecrets webhookSecrets, IssuedSecrets secrets,
                            AccessChecks access) {
        this.gateway = gateway;
        this.runner = runner;
        this.webhookSecrets = webhookSecrets;
        this.secrets = secrets;
        this.access = access;
    }

    @PostMapping("/api/v1/{collection}")
    ResponseEntity<byte[]> create(@PathVariable String collection, HttpServletRequest request) {
        ResourceKind kind = Collections.kind(collection);
        ResourceKind.Validated valid = kind.validateCreate(JsonBodies.read(request, MAX_BODY_BYTES));
        CommandRunner.requireValid(valid);
        ResourceRef resource = new ResourceRef(kind.name(), valid.name());
        ObjectNode payload = valid.payload();
        access.requireGrantable(request, kind.name(), valid.name(), payload);
        CommandFactory.Ids id = CommandFactory.ids(request);
        String secret = switch (kind.secret()) {
            case SecretHandling.IssuedOnce issued -> {
                String token = secrets.token(id.secretSeed(), valid.name());
                payload.put(SecretHandling.IssuedOnce.HASH, TokenSecrets.hash(token));
                yield token;
            }
            case SecretHandling.Sealed sealed -> {
                webhookSecrets.checkTarget(payload);
                yield webhookSecrets.newSecret(payload, secrets.webhookSecret(id.secretSeed(), valid.name()));
            }
            case SecretHandling.ItemSecrets items -> null;
            case SecretHandling.None none -> null;
        };
        CommandEnvelope command = CommandFactory.command(request, id, CommandTypes.CREATE, resource, null, payload, false);
        return runner.answer(kind, command, secret);
    }

    @PutMapping("/api/v1/{collection}/{name}")
    ResponseEntity<byte[]> update(@PathVariable String collection, @PathVariable String name,
                                  @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                  @RequestParam(value = "force", defaultValue = "false") boolean force,
                                  HttpServletRequest request) {
        return change(collection, name, ifMatch, force, request, CommandTypes.UPDATE);
    }

    /** A JSON merge patch (RFC 7396), applied by the single writer to the version named in If-Match. */
    @PatchMapping("/api/v1/{collection}/{name}")
    ResponseEntity<byte[]> patch(@PathVariable String collection, @PathVariable String name,
                                 @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                 @RequestParam(value = "force", defaultValue = "false") boolean force,
                                 HttpServletRequest request) {
        return change(collection, name, ifMatch, force, request, CommandTypes.PATCH);
    }

    private ResponseEntity<byte[]> change(String collection, String name, String ifMatch, boolean force,
                                          HttpServletRequest request, String verb) {
        ResourceKind kind = mutableKind(collection);
        access.requireVisible(request, kind.name(), name, null);
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        JsonNode body = JsonBodies.read(request, MAX_BODY_BYTES);
        ResourceKind.Validated valid = verb.equals(CommandTypes.PATCH) ? kind.validatePatch(name, body) : kind.validateUpdate(name, body);
        CommandRunner.requireValid(valid);
        access.requireGrantable(request, kind.name(), name, valid.payload());
        if (kind.secret() instanceof SecretHandling.Sealed) {
            webhookSecrets.checkTarget(valid.payload());
        }
        ResourceRef resource = new ResourceRef(kind.name(), name);
        return runner.answer(kind, CommandFactory.command(request, verb, resource, expected, valid.payload(), force), null);
    }

    /**
     * Rotates a webhook's signing secret: the answer carries the new one, once; the old one still signs deliveries
     * for {@code admin.webhooks.secret-rotation-overlap}, so receivers can switch without losing any.
     */
    @PostMapping("/api/v1/webhooks/{name}/rotate-secret")
    ResponseEntity<byte[]> rotateSecret(@PathVariable String name,
                                        @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                        HttpServletRequest request) {
        ResourceKind kind = ResourceKinds.WEBHOOK;
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        CommandFactory.Ids id = CommandFactory.ids(request);
        String secret = webhookSecrets.rotation(payload, secrets.webhookSecret(id.secretSeed(), name));
        ResourceRef resource = new ResourceRef(kind.name(), name);
        return runner.decide(kind, CommandFactory.command(request, id, CommandTypes.PATCH, resource, expected, payload, false), null,
                decided -> JsonResponses.json(200, decided.headers(), decided.body().deepCopy().put("secret", secret)));
    }

    @GetMapping("/api/v1/commands/{id}")
    ResponseEntity<byte[]> status(@PathVariable String id, HttpServletRequest request) {
        UUID commandId;
        try {
            commandId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no command " + id);
        }
        return switch (gateway.status(commandId).orElseThrow(() ->
                ApiException.notFound("no command " + id + " is known (results are kept for a limited time)"))) {
            case ResultLookup.Decided decided -> {
                CommandResult result = decided.result();
                // The outcome shows the resource: only a caller who may read it sees it.
                if (result.resource() != null) {
                    ResourceKinds.byName(result.resource().kind()).ifPresent(kind -> access.requireRead(request, kind.collection()));
                    access.requireVisible(request, result.resource().kind(), result.resource().name(), null);
                } else {
                    access.requireReadAll(request);
                }
                yield JsonResponses.json(200, new HttpHeaders(), describe(result));
            }
            case ResultLookup.Pending p -> JsonResponses.json(200, new HttpHeaders(), Map.of("id", commandId, "status", "pending"));
            case ResultLookup.Undetermined u -> throw new ApiException(Problem.of("unavailable", "Service unavailable", 503,
                    "the log could not be searched for command " + id + " in time; retry"), Map.of(HttpHeaders.RETRY_AFTER, "1"));
        };
    }

    private static Map<String, Object> describe(CommandResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", result.commandId());
        body.put("status", result.outcome().name());
        body.put("type", result.commandType());
        body.put("resource", result.resource());
        if (result.accepted()) {
            body.put("version", result.version());
        } else {
            body.put("problem", result.problem());
        }
        body.put("decided_at", result.decidedAt());
        return body;
    }

    /** Kinds that cannot change answer 405 to PUT and PATCH, as GEM's clusters. */
    private static ResourceKind mutableKind(String collection) {
        ResourceKind kind = Collections.kind(collection);
        if (!kind.mutable()) {
            throw new ApiException(Problem.of("immutable-resource", "Method not allowed", 405,
                    kind.name() + " resources cannot change after creation"), Map.of(HttpHeaders.ALLOW, "GET, POST"));
        }
        return kind;
    }
}
