package dev.controlplane.queryservice.audit;

import dev.controlplane.auditstore.AuditQuery;
import dev.controlplane.auditstore.AuditRecord;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.accesscontrol.AccessChecks;
import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import jakarta.servlet.http.HttpServletRequest;
import dev.controlplane.httpsupport.CursorCodec;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.QueryParameters;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/audit}: filters combine with AND; {@code action} is a comma list of {@code kind.verb} or
 * bare verbs. Pages follow the audit log's append order, so a client paging forward while records are appended
 * sees every record exactly once.
 */
@RestController
class AuditQueryController {

    private static final Pattern ACTION = Pattern.compile("[a-z_]{1,64}(\\.[a-z_]{1,64})?");
    private static final Pattern RESOURCE = Pattern.compile("([a-z_]{1,64})(/[a-z0-9_-]{1,64})?");

    private final AuditStore audit;
    private final CursorCodec cursors;
    private final AccessChecks access;

    /** Named for its bean: in one JVM with the audit projector there are two audit stores, reader and appender. */
    AuditQueryController(AuditStore queryAuditReader, CursorCodec cursors, AccessChecks access) {
        this.audit = queryAuditReader;
        this.cursors = cursors;
        this.access = access;
    }

    @GetMapping("/api/v1/audit")
    ResponseEntity<byte[]> query(@RequestParam(required = false) String actor,
                                 @RequestParam(required = false) String action,
                                 @RequestParam(required = false) String since,
                                 @RequestParam(required = false) String until,
                                 @RequestParam(required = false) String resource,
                                 @RequestParam(required = false) String order,
                                 @RequestParam(required = false) String limit,
                                 @RequestParam(required = false) String cursor,
                                 HttpServletRequest request) throws SQLException {
        List<String> actions = action == null ? List.of() : Arrays.stream(action.split(",")).map(String::strip).toList();
        if (actions.stream().anyMatch(a -> !ACTION.matcher(a).matches())) {
            throw ApiException.invalidField("action", "must be a comma list of kind.verb or verb, such as tenant.update,create");
        }
        String kind = null;
        String name = null;
        if (resource != null) {
            var m = RESOURCE.matcher(resource);
            if (!m.matches()) {
                throw ApiException.invalidField("resource", "must be kind or kind/name, such as tenant/acme");
            }
            kind = m.group(1);
            name = m.group(2) == null ? null : m.group(2).substring(1);
        }
        boolean ascending = switch (order == null ? "desc" : order) {
            case "asc" -> true;
            case "desc" -> false;
            default -> throw ApiException.invalidField("order", "must be asc or desc");
        };
        Instant from = QueryParameters.instant("since", since);
        Instant to = QueryParameters.instant("until", until);
        int pageSize = QueryParameters.limit(limit);
        // A caller bound to some tenants does not see the records of other tenants' resources. The cursor is bound
        // to the caller, so a cursor issued to one caller is no use to another.
        Map<String, java.util.Set<String>> hidden = access.hidden(request);
        String filter = String.join("|", "audit", Caller.actor(request), String.valueOf(actor), String.join(",", actions), String.valueOf(from),
                String.valueOf(to), String.valueOf(resource), String.valueOf(ascending));
        Long afterId = cursor == null ? null : cursors.position(cursor, filter, "after_id");
        AuditStore.Page page = audit.query(new AuditQuery(actor, actions, from, to, kind, name, ascending, pageSize, afterId, hidden));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.records().stream().map(AuditQueryController::view).toList());
        body.put("type", "audit_record");
        body.put("next_cursor", nextCursor(page, ascending, filter));
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    /**
     * A non-empty ascending page always carries a cursor, even the last: records appended later come after it, so
     * a client can resume following the log; the empty page after it ends the walk. Descending pages end when
     * nothing older remains.
     */
    private String nextCursor(AuditStore.Page page, boolean ascending, String filter) {
        if (page.records().isEmpty() || (!page.more() && !ascending)) {
            return null;
        }
        return cursors.encode("after_id", page.records().getLast().id(), filter);
    }

    private static Map<String, Object> view(AuditRecord record) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", record.id());
        view.put("event_id", record.eventId());
        view.put("occurred_at", record.occurredAt());
        view.put("actor", record.actor());
        view.put("action", record.action());
        view.put("resource", record.resource());
        view.put("version", record.version());
        view.put("command_id", record.commandId());
        view.put("request", record.request());
        view.put("changes", record.changes());
        return view;
    }
}
