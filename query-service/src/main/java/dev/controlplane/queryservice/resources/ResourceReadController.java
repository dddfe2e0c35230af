package dev.controlplane.queryservice.resources;

import dev.controlplane.accesscontrol.AccessChecks;
import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.httpsupport.Collections;
import dev.controlplane.httpsupport.CursorCodec;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.YamlDocuments;
import dev.controlplane.httpsupport.QueryParameters;
import dev.controlplane.queryservice.QuerySettings;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** Reads one resource (with its ETag, optionally waiting for a version) or a page of a kind's resources. */
@RestController
class ResourceReadController {

    private final ResourceReadModel readModel;
    private final ProjectionProgress progress;
    private final CursorCodec cursors;
    private final QuerySettings settings;
    private final AccessChecks access;
    private final ReadBarrier barrier;

    ResourceReadController(ResourceReadModel readModel, ProjectionProgress progress, CursorCodec cursors,
                           QuerySettings settings, AccessChecks access, ReadBarrier barrier) {
        this.barrier = barrier;
        this.readModel = readModel;
        this.progress = progress;
        this.cursors = cursors;
        this.settings = settings;
        this.access = access;
    }

    @GetMapping("/api/v1/{collection}/{name}")
    ResponseEntity<byte[]> get(@PathVariable String collection, @PathVariable String name,
                               @RequestParam(name = "min_version", required = false) String minVersionParam,
                               @RequestParam(required = false) String consistency,
                               HttpServletRequest request)
            throws SQLException, InterruptedException {
        long arrived = System.nanoTime();
        ResourceKind kind = Collections.kind(collection);
        if (minVersionParam != null) {
            // Decided before waiting: a foreign resource and a missing one must answer alike, and at once.
            access.requireVisible(request, kind.name(), name, null);
        }
        consistent(consistency, minVersionParam, arrived);
        Optional<ResourceReadModel.Row> row = row(kind, name, minVersionParam);
        ResourceReadModel.Row found = row.filter(r -> access.visible(Caller.identity(request), kind.name(), r.name(), r.data()))
                .orElseThrow(() -> ApiException.notFound(kind.name() + " " + name + " does not exist"));
        HttpHeaders headers = new HttpHeaders();
        if (kind.mutable()) {
            headers.setETag("\"" + found.version() + "\"");
        }
        return JsonResponses.json(200, headers, view(kind, found.data()));
    }

    /**
     * A resource as clients see it. A token also says whether it is {@code usable}: active, not expired, and bound
     * to an active access policy; so an operator sees at once what auth will do with it.
     */
    private ObjectNode view(ResourceKind kind, ObjectNode data) throws SQLException {
        ObjectNode shown = kind.shown(data);
        if (kind != ResourceKinds.TOKEN) {
            return shown;
        }
        ObjectNode token = shown == data ? data.deepCopy() : shown;
        boolean active = "active".equals(data.path("status").asString());
        boolean unexpired = !data.has("expiration") || OffsetDateTime.parse(data.get("expiration").asString())
                .toInstant().isAfter(Instant.now());
        boolean policyActive = readModel.find(ResourceKinds.ACCESS_POLICY.name(), data.path("access_policy").asString())
                .map(policy -> "active".equals(policy.status())).orElse(false);
        token.put("usable", active && unexpired && policyActive);
        return token;
    }

    /**
     * The configuration, as JSON or as YAML ({@code Accept: application/yaml}, or the {@code .yaml} path). Before
     * its first write it is the empty document at version 0: every setting at its default.
     */
    @GetMapping({"/api/v1/config", "/api/v1/config.yaml"})
    ResponseEntity<byte[]> config(@RequestParam(name = "min_version", required = false) String minVersionParam,
                                  @RequestParam(required = false) String consistency,
                                  HttpServletRequest request) throws SQLException, InterruptedException {
        consistent(consistency, minVersionParam, System.nanoTime());
        ResourceKind kind = ResourceKinds.CONFIG;
        Optional<ResourceReadModel.Row> row = row(kind, kind.singleton(), minVersionParam);
        HttpHeaders headers = new HttpHeaders();
        headers.setETag("\"" + row.map(ResourceReadModel.Row::version).orElse(0L) + "\"");
        ObjectNode body = row.map(ResourceReadModel.Row::data).orElseGet(Envelopes.MAPPER::createObjectNode);
        boolean yaml = YamlDocuments.wantsYaml(request) || request.getRequestURI().endsWith(".yaml");
        return yaml ? YamlDocuments.yaml(200, headers, body) : JsonResponses.json(200, headers, body);
    }

    /** The API keys, masked: never a secret, never its hash. The ETag is the version of the keys as a whole. */
    @GetMapping("/api/v1/api-keys")
    ResponseEntity<byte[]> apiKeys(@RequestParam(name = "min_version", required = false) String minVersionParam,
                                   @RequestParam(required = false) String consistency)
            throws SQLException, InterruptedException {
        consistent(consistency, minVersionParam, System.nanoTime());
        ResourceKind kind = ResourceKinds.API_KEYS;
        Optional<ResourceReadModel.Row> row = row(kind, kind.singleton(), minVersionParam);
        HttpHeaders headers = new HttpHeaders();
        headers.setETag("\"" + row.map(ResourceReadModel.Row::version).orElse(0L) + "\"");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", row.map(r -> kind.shown(r.data()).path(kind.itemList())).orElseGet(Envelopes.MAPPER::createArrayNode));
        body.put("type", "api_key");
        return JsonResponses.json(200, headers, body);
    }

    /**
     * Waits, unless the caller reads {@code consistency=eventual} or names the version it waits for, until the read
     * model holds everything the log had committed when the request arrived.
     */
    private void consistent(String consistency, String minVersionParam, long arrived) {
        if (consistency != null && !consistency.equals("strong") && !consistency.equals("eventual")) {
            throw ApiException.invalidField("consistency", "must be strong or eventual");
        }
        if (!"eventual".equals(consistency) && minVersionParam == null) {
            barrier.await(arrived);
        }
    }

    /** The resource as the read model has it, after waiting (bounded) for {@code min_version} when asked. */
    private Optional<ResourceReadModel.Row> row(ResourceKind kind, String name, String minVersionParam)
            throws SQLException, InterruptedException {
        Long minVersion = QueryParameters.positiveLong("min_version", minVersionParam);
        return minVersion == null ? readModel.find(kind.name(), name) : awaitVersion(kind, name, minVersion);
    }

    private Optional<ResourceReadModel.Row> awaitVersion(ResourceKind kind, String name, long minVersion)
            throws SQLException, InterruptedException {
        var reached = progress.await(new ResourceRef(kind.name(), name).key(), minVersion);
        try {
            Optional<ResourceReadModel.Row> row = readModel.find(kind.name(), name);
            if (row.isPresent() && row.get().version() >= minVersion) {
                return row;
            }
            reached.get(settings.minVersionWait().toMillis(), TimeUnit.MILLISECONDS);
            return readModel.find(kind.name(), name);
        } catch (TimeoutException e) {
            throw new ApiException(Problem.of("version-not-yet-visible", "Version not yet visible", 503,
                    "the read model has not reached version " + minVersion + " of " + kind.name() + " " + name
                            + " within " + settings.minVersionWait().toMillis() + " ms"), Map.of(HttpHeaders.RETRY_AFTER, "1"));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            reached.cancel(false);
        }
    }

    /**
     * A page of a kind's resources in name order. A caller bound to some tenants sees only theirs: rows it may not
     * see are skipped and the page is filled from the rows after them, so its pages are as full as anyone's.
     */
    @GetMapping("/api/v1/{collection}")
    ResponseEntity<byte[]> list(@PathVariable String collection,
                                @RequestParam(name = "include-non-active", required = false) String includeParam,
                                @RequestParam(required = false) String limit,
                                @RequestParam(required = false) String cursor,
                                @RequestParam(required = false) String consistency,
                                HttpServletRequest request) throws SQLException {
        long arrived = System.nanoTime();
        ResourceKind kind = Collections.kind(collection);
        consistent(consistency, null, arrived);
        boolean includeInactive = QueryParameters.flag("include-non-active", includeParam);
        int pageSize = QueryParameters.limit(limit);
        String filter = kind.name() + "|" + includeInactive;
        String after = cursor == null ? null : cursors.decode(cursor, filter).path("after").asString(null);
        CallerIdentity caller = Caller.identity(request);
        List<ResourceReadModel.Row> visible = new ArrayList<>(pageSize + 1);
        String position = after;
        while (visible.size() <= pageSize) {
            List<ResourceReadModel.Row> rows = readModel.list(kind.name(), includeInactive, position, pageSize);
            for (ResourceReadModel.Row row : rows) {
                position = row.name();
                if (access.visible(caller, kind.name(), row.name(), row.data()) && visible.add(row) && visible.size() > pageSize) {
                    break;
                }
            }
            if (rows.size() <= pageSize) {
                break;
            }
        }
        boolean more = visible.size() > pageSize;
        List<ResourceReadModel.Row> page = more ? visible.subList(0, pageSize) : visible;
        Map<String, Object> body = new LinkedHashMap<>();
        List<ObjectNode> items = new ArrayList<>(page.size());
        for (ResourceReadModel.Row row : page) {
            items.add(view(kind, row.data()));
        }
        body.put("items", items);
        body.put("type", kind.name());
        body.put("next_cursor", more ? next(page.getLast().name(), filter) : null);
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    private String next(String lastName, String filter) {
        ObjectNode position = Envelopes.MAPPER.createObjectNode();
        position.put("after", lastName);
        return cursors.encode(position, filter);
    }

}
