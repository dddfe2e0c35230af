package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.JsonBodies;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.Problem.FieldError;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /api/v1/licenses}: {@code {"name": …, "display_name": …, "license": "<signed JWT>"}}. The license is
 * decoded and checked here (form, signature, validity period); what is stored is its claims and fingerprint.
 */
@RestController
class LicenseWriteController {

    private static final ResourceKind KIND = ResourceKinds.LICENSE;

    private final CommandRunner runner;
    private final LicenseDocuments licenses;

    LicenseWriteController(CommandRunner runner, LicenseSettings settings) {
        this.runner = runner;
        this.licenses = new LicenseDocuments(settings);
    }

    @PostMapping("/api/v1/licenses")
    ResponseEntity<byte[]> upload(HttpServletRequest request) {
        JsonNode body = JsonBodies.read(request, ResourceWriteController.MAX_BODY_BYTES);
        List<FieldError> errors = new ArrayList<>();
        ResourceKinds.LICENSE_UPLOAD.check("", body, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalidField(errors.getFirst().field(), errors.getFirst().message());
        }
        LicenseDocuments.License license = licenses.read(body.get("license").asString(), Instant.now());
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        if (body.has("display_name")) {
            payload.set("display_name", body.get("display_name"));
        }
        payload.set("token", license.claims());
        payload.put("license_sha256", license.sha256());
        payload.put("verified", license.verified());
        ResourceRef resource = new ResourceRef(KIND.name(), body.get("name").asString());
        return runner.answer(KIND, CommandFactory.command(request, CommandTypes.CREATE, resource, null, payload, false), null);
    }
}
