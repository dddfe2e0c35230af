package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.YamlDocuments;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Writes the configuration document: {@code PUT} replaces the settable sections present (JSON, or YAML by its
 * content type or at {@code /api/v1/config.yaml}), {@code PATCH} merges a JSON merge patch. Both need If-Match;
 * the first write uses {@code "0"} or {@code "*"}. The document is checked against its schema before it is sent.
 */
@RestController
class ConfigWriteController {

    private static final ResourceKind CONFIG = ResourceKinds.CONFIG;
    private static final ResourceRef RESOURCE = new ResourceRef(CONFIG.name(), CONFIG.singleton());

    private final CommandRunner runner;

    ConfigWriteController(CommandRunner runner) {
        this.runner = runner;
    }

    @PutMapping({"/api/v1/config", "/api/v1/config.yaml"})
    ResponseEntity<byte[]> put(@RequestHeader(value = "If-Match", required = false) String ifMatch, HttpServletRequest request) {
        return write(ifMatch, request, CommandTypes.UPDATE);
    }

    @PatchMapping("/api/v1/config")
    ResponseEntity<byte[]> patch(@RequestHeader(value = "If-Match", required = false) String ifMatch, HttpServletRequest request) {
        return write(ifMatch, request, CommandTypes.PATCH);
    }

    private ResponseEntity<byte[]> write(String ifMatch, HttpServletRequest request, String verb) {
        ExpectedVersion expected = Preconditions.ifMatch(ifMatch);
        JsonNode body = YamlDocuments.read(request, ResourceWriteController.MAX_BODY_BYTES);
        ResourceKind.Validated valid = verb.equals(CommandTypes.PATCH)
                ? CONFIG.validatePatch(CONFIG.singleton(), body) : CONFIG.validateUpdate(CONFIG.singleton(), body);
        CommandRunner.requireValid(valid);
        return send(request, verb, expected, valid);
    }

    private ResponseEntity<byte[]> send(HttpServletRequest request, String verb, ExpectedVersion expected,
                                        ResourceKind.Validated valid) {
        boolean yaml = YamlDocuments.wantsYaml(request) || request.getRequestURI().endsWith(".yaml");
        return runner.decide(CONFIG, CommandFactory.command(request, verb, RESOURCE, expected, valid.payload(), false), null,
                decided -> {
                    // The document exists from its first write, which is therefore answered 200 like every other.
                    HttpHeaders headers = decided.headers();
                    headers.remove(HttpHeaders.LOCATION);
                    return yaml ? YamlDocuments.yaml(200, headers, decided.body()) : JsonResponses.json(200, headers, decided.body());
                });
    }
}
