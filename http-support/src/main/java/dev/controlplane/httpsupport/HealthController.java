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

    /** Liveness: the process answers, and nothing in it stopped for good. */
    @GetMapping("/health/liveness")
    ResponseEntity<byte[]> liveness() {
        List<String> dead = views.stream().filter(ViewHealth::dead).map(ViewHealth::name).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", dead.isEmpty() ? "UP" : "DOWN");
        if (!dead.isEmpty()) {
            body.put("stopped", dead);
        }
        return JsonResponses.json(dead.isEmpty() ? 200 : 503, new HttpHeaders(), body);
    }

    /** Readiness: Kafka, the stores and every view this instance relies on are current. */
    @GetMapping({"/health", "/health/readiness"})
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
