package dev.controlplane.httpsupport;

import dev.controlplane.schemas.access.AccessRules;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The tenants a resource belongs to, for realms: a tenant is its own, an access policy belongs to its realms'
 * tenants, a token to its access policy's. Resources of other kinds belong to no tenant (they are global).
 */
public interface TenantBindings {

    /**
     * The tenants of the resource {@code kind/name}, whose document is {@code data} when the caller has it (else
     * null: it is looked up); empty for a global kind.
     */
    Set<String> tenantsOf(String kind, String name, JsonNode data);

    /** True when {@code caller} may see {@code kind/name}: a global kind, or one of its tenants' resources. */
    default boolean visible(CallerIdentity caller, String kind, String name, JsonNode data) {
        if (caller.allTenants() || !AccessRules.TENANT_BOUND_KINDS.contains(kind)) {
            return true;
        }
        Set<String> tenants = tenantsOf(kind, name, data);
        return !tenants.isEmpty() && caller.mayAccessTenants(tenants);
    }
}
