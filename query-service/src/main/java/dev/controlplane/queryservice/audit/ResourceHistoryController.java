package dev.controlplane.queryservice.audit;

import dev.controlplane.auditstore.AuditQuery;
import dev.controlplane.auditstore.AuditRecord;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.accesscontrol.AccessChecks;
import dev.controlplane.httpsupport.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import dev.controlplane.httpsupport.Collections;
import dev.controlplane.httpsupport.CursorCodec;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.QueryParameters;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/{collection}/{name}/history}: a resource's events, oldest first by default, each with who,
 * when, which version and what changed ({@code /api/v1/config/history} and {@code /api/v1/api-keys/history} for
 * the single documents). It reads the audit store, which holds exactly one record per event.
 */
@RestController
class ResourceHistoryController {

    private final AuditStore audit;
    private final CursorCodec cursors;
    private final AccessChecks access;

    ResourceHistoryController(AuditStore queryAuditReader, CursorCodec cursors, AccessChecks access) {
        this.audit = queryAuditReader;
        this.cursors = cursors;
        this.access = access;
    }

    @GetMapping("/api/v1/{collection}/{name}/history")
    ResponseEntity<byte[]> history(@PathVariable String collection, @PathVariable String name,
                                   @RequestParam(required = false) String order,
                                   @RequestParam(required = false) String limit,
                                   @RequestParam(required = false) String cursor,
                                   HttpServletRequest request) throws SQLException {
        ResourceKind kind = Collections.kind(collection);
        if (ResourceKind.NAME.matcher(name).matches()) {
            access.requireVisible(request, kind.name(), name, null);
        }
        return page(kind, name, order, limit, cursor);
    }

    @GetMapping("/api/v1/config/history")
    ResponseEntity<byte[]> configHistory(@RequestParam(required = false) String order,
                                         @RequestParam(required = false) String limit,
                                         @RequestParam(required = false) String cursor) throws SQLException {
        return page(ResourceKinds.CONFIG, ResourceKinds.CONFIG.singleton(), order, limit, cursor);
    }

    @GetMapping("/api/v1/api-keys/history")
    ResponseEntity<byte[]> apiKeysHistory(@RequestParam(required = false) String order,
                                          @RequestParam(required = false) String limit,
                                          @RequestParam(required = false) String cursor) throws SQLException {
        return page(ResourceKinds.API_KEYS, ResourceKinds.API_KEYS.singleton(), order, limit, cursor);
    }

    private ResponseEntity<byte[]> page(ResourceKind kind, String name, String order, String limit, String cursor)
            throws SQLException {
        if (!ResourceKind.NAME.matcher(name).matches()) {
            throw ApiException.notFound(kind.name() + " " + name + " does not exist");
        }
        boolean ascending = switch (order == null ? "asc" : order) {
            case "asc" -> true;
            case "desc" -> false;
            default -> throw ApiException.invalidField("order", "must be asc or desc");
        };
        int pageSize = QueryParameters.limit(limit);
        String filter = String.join("|", "history", kind.name(), name, String.valueOf(ascending));
        Long afterId = cursor == null ? null : cursors.position(cursor, filter, "after_id");
        AuditStore.Page page = audit.query(new AuditQuery(null, List.of(), null, null, kind.name(), name, ascending, pageSize, afterId));
        if (page.records().isEmpty() && afterId == null) {
            throw ApiException.notFound(kind.name() + " " + name + " has no history (it does not exist, or is not yet projected)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.records().stream().map(ResourceHistoryController::view).toList());
        body.put("type", "event");
        body.put("resource", new ResourceRef(kind.name(), name));
        body.put("next_cursor", page.more() ? next(page, filter) : null);
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    private String next(AuditStore.Page page, String filter) {
        return cursors.encode("after_id", page.records().getLast().id(), filter);
    }

    private static Map<String, Object> view(AuditRecord record) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", record.version());
        view.put("type", record.action());
        view.put("occurred_at", record.occurredAt());
        view.put("actor", record.actor());
        view.put("event_id", record.eventId());
        view.put("request_id", record.request() == null ? null : record.request().requestId());
        view.put("changes", record.changes());
        return view;
    }
}
