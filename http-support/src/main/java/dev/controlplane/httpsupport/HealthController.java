package dev.controlplane.httpsupport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Health, served without authentication: UP with 200 while every view of the log is current, else 503. */
@RestController
class HealthController {

    private final List<ViewHealth> views;

    HealthController(ObjectProvider<ViewHealth> views) {
        this.views = views.orderedStream().toList();
    }

    @GetMapping("/health")
    ResponseEntity<byte[]> health() {
        Map<String, Object> states = new LinkedHashMap<>();
        boolean up = true;
        for (ViewHealth view : views) {
            String problem = view.problem();
            up &= problem == null;
            states.put(view.name(), problem == null ? Map.of("status", "UP") : Map.of("status", "DOWN", "detail", problem));
        }
        HttpHeaders headers = new HttpHeaders();
        if (!up) {
            headers.add(HttpHeaders.RETRY_AFTER, "1");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("views", states);
        return JsonResponses.json(up ? 200 : 503, headers, body);
    }
}
