package dev.controlplane.httpsupport;

import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Liveness, served without authentication. */
@RestController
class HealthController {

    @GetMapping("/health")
    ResponseEntity<byte[]> health() {
        return JsonResponses.json(200, new HttpHeaders(), Map.of("status", "UP"));
    }
}
