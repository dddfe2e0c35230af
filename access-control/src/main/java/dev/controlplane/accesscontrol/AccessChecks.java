package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.Caller;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.schemas.Problem;
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

    AccessChecks(CallerDirectory directory) {
        this.directory = directory;
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
     * Refuses (403) a write that would give more than the caller has: a resource of a tenant outside its realms, a
     * token on a policy with scopes or tenants it lacks, a policy or role with scopes it lacks, a user with roles
     * whose scopes it lacks. {@code document} is what the write sets (for a patch, the fields it sets).
     */
    public void requireGrantable(HttpServletRequest request, String kind, String name, JsonNode document) {
        CallerIdentity caller = Caller.identity(request);
        if (!caller.allTenants() && AccessRules.TENANT_BOUND_KINDS.contains(kind)) {
            Set<String> tenants = switch (kind) {
                case "tenant" -> Set.of(name);
                case "access_policy" -> document.has("realms") ? directory.tenantsOf(kind, name, document) : Set.of();
                case "token" -> document.has("access_policy") ? directory.tenantsOf(kind, name, document) : Set.of();
                default -> Set.of();
            };
            boolean unknownPolicy = kind.equals("token") && document.has("access_policy")
                    && directory.policyScopes(document.path("access_policy").asString()).isEmpty();
            if (!unknownPolicy && !tenants.isEmpty() && !caller.mayAccessTenants(tenants)) {
                throw forbidden("this would reach tenants outside your realms (" + String.join(", ", new TreeSet<>(tenants)) + ")");
            }
        }
        Set<String> handedOut = switch (kind) {
            case "access_policy", "role" -> strings(document.path("scopes"));
            case "token" -> document.has("access_policy")
                    ? directory.policyScopes(document.path("access_policy").asString()).orElse(Set.of()) : Set.of();
            case "user" -> directory.roleScopes(strings(document.path("roles")));
            default -> Set.of();
        };
        List<String> missing = handedOut.stream().filter(scope -> !Scopes.covers(caller.scopes(), scope)).sorted().toList();
        if (!missing.isEmpty()) {
            throw forbidden("this would grant scopes you do not have: " + String.join(", ", missing));
        }
    }

    /** 403 unless the caller may read resources of {@code collection} (a command's outcome shows its resource). */
    public void requireRead(HttpServletRequest request, String collection) {
        AccessRules.Scoped rule = AccessRules.read(collection);
        if (!rule.grantedBy(Caller.identity(request).scopes())) {
            throw forbidden("this call needs the scope " + rule.scope());
        }
    }

    private static ApiException forbidden(String detail) {
        return new ApiException(new Problem("/problems/forbidden", "Forbidden", 403, detail, null, null));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }
}
