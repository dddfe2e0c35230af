package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.schemas.access.AccessRules;
import dev.controlplane.schemas.access.Scopes;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What the route rules cannot see, checked by the controllers: realms (a resource of a tenant outside the caller's
 * realms answers 404, so its existence does not leak; lists and the audit trail leave it out) and property-level
 * rules (a caller cannot hand out scopes or tenants it does not have: not to a token through its access policy,
 * nor to a policy, a role or a user).
 */
public final class AccessChecks {

    private final CallerDirectory directory;
    private final SecurityEvents events;

    AccessChecks(CallerDirectory directory, SecurityEvents events) {
        this.directory = directory;
        this.events = events;
    }

    public boolean visible(CallerIdentity caller, String kind, String name, JsonNode data) {
        return directory.visible(caller, kind, name, data);
    }

    /** 404 unless the caller may see {@code kind/name} (a resource it cannot see is, to it, not there). */
    public void requireVisible(HttpServletRequest request, String kind, String name, JsonNode data) {
        if (!visible(Caller.identity(request), kind, name, data)) {
            throw ApiException.notFound(kind + " " + name + " does not exist");
        }
    }

    /** The tenant-bound resources this caller may not see, by kind: what audit queries leave out. Empty for {@code *}. */
    public Map<String, Set<String>> hidden(HttpServletRequest request) {
        CallerIdentity caller = Caller.identity(request);
        if (caller.allTenants()) {
            return Map.of();
        }
        Map<String, Set<String>> hidden = new HashMap<>();
        directory.tenantBoundNames().forEach((kind, names) -> {
            Set<String> mine = new TreeSet<>();
            for (String name : names) {
                if (!directory.visible(caller, kind, name, null)) {
                    mine.add(name);
                }
            }
            if (!mine.isEmpty()) {
                hidden.put(kind, mine);
            }
        });
        return hidden;
    }

    /**
     * Refuses (403) a write whose result would give more than the caller has, judged on the resource as it will be
     * (what the write sets, over what it has): a resource of a tenant outside its realms; a token on a policy with
     * scopes or tenants it lacks (reactivating one included); a policy or role with scopes it lacks; a user holding
     * roles whose scopes it lacks (inactive roles included: they grant on reactivation). A policy's
     * {@code rate_limit} is set by {@code admin} only, since a token could otherwise lift the limit of its own policy.
     */
    public void requireGrantable(HttpServletRequest request, String kind, String name, JsonNode document) {
        CallerIdentity caller = Caller.identity(request);
        if (caller.scopes().contains(Scopes.ADMIN)) {
            return;
        }
        if (kind.equals("access_policy") && document.has("rate_limit")) {
            throw forbidden(request, caller, "only admin sets an access policy's rate_limit");
        }
        String policy = kind.equals("token")
                ? document.has("access_policy") ? document.path("access_policy").asString(null) : directory.tokenPolicyOf(name).orElse(null)
                : null;
        if (policy != null && directory.policyScopes(policy).isEmpty()) {
            // A policy created a moment ago through another instance: look again once the directory has caught up.
            directory.requireCaughtUp(java.time.Instant.now());
        }
        if (!caller.allTenants() && AccessRules.TENANT_BOUND_KINDS.contains(kind)) {
            Set<String> tenants = switch (kind) {
                case "tenant" -> Set.of(name);
                case "access_policy" -> document.has("realms") ? directory.tenantsOf(kind, name, document) : directory.tenantsOf(kind, name, null);
                case "token" -> policy == null ? Set.of() : directory.tenantsOf("access_policy", policy, null);
                default -> Set.of();
            };
            if (!tenants.isEmpty() && !caller.mayAccessTenants(tenants)) {
                throw forbidden(request, caller, "this would reach tenants outside your realms");
            }
        }
        Set<String> handedOut = switch (kind) {
            case "access_policy" -> document.has("scopes") ? strings(document.path("scopes")) : directory.policyScopes(name).orElse(Set.of());
            case "role" -> document.has("scopes") ? strings(document.path("scopes")) : directory.roleScopesOf(name).orElse(Set.of());
            case "token" -> policy == null ? Set.of() : directory.policyScopes(policy).orElse(Set.of());
            case "user" -> directory.roleScopes(document.has("roles") ? strings(document.path("roles")) : directory.userRoles(name));
            default -> Set.of();
        };
        List<String> missing = handedOut.stream().filter(scope -> !Scopes.covers(caller.scopes(), scope)).sorted().toList();
        if (!missing.isEmpty()) {
            throw forbidden(request, caller, "this would grant scopes you do not have: " + String.join(", ", missing));
        }
    }

    /** 403 unless the caller may read resources of {@code collection} (a command's outcome shows its resource). */
    public void requireRead(HttpServletRequest request, String collection) {
        require(request, AccessRules.read(collection));
    }

    /** 403 unless the caller may read everything ({@code admin:read}): for an outcome that names no resource. */
    public void requireReadAll(HttpServletRequest request) {
        require(request, new AccessRules.Scoped(Scopes.ADMIN_READ, Set.of(Scopes.ADMIN)));
    }

    private void require(HttpServletRequest request, AccessRules.Scoped rule) {
        CallerIdentity caller = Caller.identity(request);
        if (!rule.grantedBy(caller.scopes())) {
            throw forbidden(request, caller, "this call needs the scope " + rule.scope());
        }
    }

    /** A denial decided here is audited like one decided by the route rules. */
    private ApiException forbidden(HttpServletRequest request, CallerIdentity caller, String detail) {
        events.record(SecurityEvent.DENIED, request.getRemoteAddr(), caller.identity(), detail, Problems.endpoint(request));
        return new ApiException(new Problem("/problems/forbidden", "Forbidden", 403, detail, null, null));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }
}
