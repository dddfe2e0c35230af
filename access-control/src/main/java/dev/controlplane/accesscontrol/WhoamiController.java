package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.Caller;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.httpsupport.JsonResponses;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/whoami}: the caller as the API sees it. */
@RestController
class WhoamiController {

    @GetMapping("/api/v1/whoami")
    ResponseEntity<byte[]> whoami(HttpServletRequest request) {
        CallerIdentity caller = Caller.identity(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("identity", caller.identity());
        body.put("kind", caller.kind());
        body.put("name", caller.name());
        body.put("scopes", new TreeSet<>(caller.scopes()));
        body.put("realms", new TreeSet<>(caller.realms()));
        body.put("expires_at", caller.expiresAt());
        return JsonResponses.json(200, new HttpHeaders(), body);
    }
}
