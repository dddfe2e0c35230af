package dev.controlplane.rebuilds;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.kafkasupport.Rebuilds;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.schemas.Problem;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/rebuilds/{store}} starts rebuilding a store from the log (202, or 409 while one runs), and
 * {@code GET} tells how far the latest one is. The route needs the {@code admin} scope (AccessRules).
 */
@RestController
class RebuildController {

    private final Rebuilds rebuilds;

    RebuildController(Rebuilds rebuilds) {
        this.rebuilds = rebuilds;
    }

    @PostMapping("/api/v1/rebuilds/{store}")
    ResponseEntity<byte[]> start(@PathVariable String store) {
        return switch (rebuilds.start(store)) {
            case Rebuilds.Start.Started started -> {
                HttpHeaders headers = new HttpHeaders();
                headers.set(HttpHeaders.LOCATION, "/api/v1/rebuilds/" + store);
                yield JsonResponses.json(202, headers, body(started.progress()));
            }
            case Rebuilds.Start.AlreadyRunning running -> throw new ApiException(Problem.of("rebuild-running",
                    "A rebuild is running", 409, "store " + store + " is being rebuilt: GET /api/v1/rebuilds/" + store));
            case Rebuilds.Start.Unknown unknown -> throw unknown(store, rebuilds);
        };
    }

    @GetMapping("/api/v1/rebuilds/{store}")
    ResponseEntity<byte[]> progress(@PathVariable String store) {
        return rebuilds.progress(store).map(progress -> JsonResponses.json(200, new HttpHeaders(), body(progress)))
                .orElseThrow(() -> ApiException.notFound("no rebuild of " + shown(store) + " has run in this process"));
    }

    private static ApiException unknown(String store, Rebuilds rebuilds) {
        // Each store is rebuilt by the service that owns it: the read model and the audit store by a query service,
        // the webhook store by a dispatcher.
        return ApiException.notFound("this service rebuilds no store named " + shown(store) + " (it rebuilds "
                + String.join(", ", rebuilds.stores()) + "; the others are rebuilt by the service that owns them)");
    }

    /** A name as the caller sent it, cut short: it is echoed. */
    private static String shown(String store) {
        return store.length() > 64 ? store.substring(0, 64) + "…" : store;
    }

    private static Map<String, Object> body(StoreRebuild.Progress progress) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("store", progress.store());
        body.put("state", progress.state().name().toLowerCase(Locale.ROOT));
        body.put("records", progress.records());
        body.put("total", progress.total());
        body.put("records_per_second", progress.perSecond());
        body.put("seconds_left", progress.secondsLeft());
        body.put("switch_tries", progress.switchTries());
        body.put("dead_letters", progress.deadLetters());
        body.put("started_at", progress.startedAt().toString());
        body.put("finished_at", progress.finishedAt() == null ? null : progress.finishedAt().toString());
        body.put("error", progress.error());
        return body;
    }
}
