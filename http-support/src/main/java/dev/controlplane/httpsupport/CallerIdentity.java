package dev.controlplane.httpsupport;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * Who a request comes from, once authenticated: what every controller and the audit trail see, without any
 * security framework type.
 *
 * @param kind      {@code token} (an API token), {@code user} (a JWT subject), {@code bootstrap}, {@code metrics}
 * @param scopes    what it may do ({@code dev.controlplane.schemas.access.Scopes})
 * @param realms    the tenants it is bound to; {@code *} for every tenant
 * @param expiresAt when its credential stops working; null when it does not expire
 * @param requestsPerMinute its own rate limit (its access policy's); null for the configured default
 */
public record CallerIdentity(String kind, String name, Set<String> scopes, Set<String> realms, Instant expiresAt,
                             Integer requestsPerMinute) {

    public static final String ALL_TENANTS = "*";

    /** The audit actor: the kind and the name, since a token and a user may share a name. */
    public String identity() {
        return kind + ":" + name;
    }

    public boolean allTenants() {
        return realms.contains(ALL_TENANTS);
    }

    /** True when every tenant named is one this caller is bound to ({@code *} names every tenant). */
    public boolean mayAccessTenants(Collection<String> tenants) {
        if (allTenants()) {
            return true;
        }
        return !tenants.contains(ALL_TENANTS) && realms.containsAll(tenants);
    }
}
