package dev.controlplane.schemas.access;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The scopes of this API, one table for the code, the OpenAPI document and the README. {@code admin} is everything;
 * {@code admin:read} every read but the audit trail; per collection {@code <collection>:read}, {@code :create} and
 * {@code :write} (create, update, soft delete); {@code plugins:manage} and {@code webhooks:manage} everything on
 * their collection, the webhook operations (rotate-secret, redeliver, recover) included; {@code audit:read} the
 * audit trail; {@code metrics:read} {@code /metrics}.
 */
public final class Scopes {

    public static final String ADMIN = "admin";
    public static final String ADMIN_READ = "admin:read";
    public static final String AUDIT_READ = "audit:read";
    public static final String METRICS_READ = "metrics:read";
    public static final String PLUGINS_MANAGE = "plugins:manage";
    public static final String WEBHOOKS_MANAGE = "webhooks:manage";

    /** Every collection with scopes of its own; a test holds this list equal to the kinds' collections. */
    public static final List<String> COLLECTIONS = List.of("clusters", "tenants", "accesspolicies", "tokens", "roles", "users",
            "plugins", "config", "api-keys", "licenses", "webhooks");

    /** GEM's scopes for the metrics clusters an access policy governs; they grant nothing on this API. */
    public static final Set<String> GEM = Set.of("alerts:read", "alerts:write", "metrics:delete", "metrics:write",
            "rules:read", "rules:write");

    /** Every scope an access policy may grant. */
    public static final Set<String> ALL = all();

    private Scopes() {
    }

    public static String read(String collection) {
        return collection + ":read";
    }

    public static String create(String collection) {
        return collection + ":create";
    }

    public static String write(String collection) {
        return collection + ":write";
    }

    /** The scope that grants everything on a collection, if it has one. */
    public static String manage(String collection) {
        return switch (collection) {
            case "plugins" -> PLUGINS_MANAGE;
            case "webhooks" -> WEBHOOKS_MANAGE;
            default -> null;
        };
    }

    /**
     * True when a caller holding {@code held} may hand out {@code scope} (to a token's policy, a role, a user): what
     * it holds grants everything {@code scope} grants, by the same rules the routes apply ({@code admin:read} covers
     * a collection's read scope, {@code tenants:write} covers {@code tenants:create}, {@code webhooks:manage} every
     * webhooks scope). No caller gives what it does not have.
     */
    public static boolean covers(Set<String> held, String scope) {
        if (held.contains(ADMIN) || held.contains(scope)) {
            return true;
        }
        int colon = scope.indexOf(':');
        String collection = colon < 0 ? "" : scope.substring(0, colon);
        if (!COLLECTIONS.contains(collection)) {
            return false;
        }
        return switch (scope.substring(colon + 1)) {
            case "read" -> AccessRules.read(collection).grantedBy(held);
            case "create" -> AccessRules.create(collection).grantedBy(held);
            case "write" -> AccessRules.write(collection).grantedBy(held);
            default -> false;
        };
    }

    private static Set<String> all() {
        Set<String> all = new LinkedHashSet<>(List.of(ADMIN, ADMIN_READ, AUDIT_READ, METRICS_READ, PLUGINS_MANAGE, WEBHOOKS_MANAGE));
        for (String collection : COLLECTIONS) {
            all.add(read(collection));
            all.add(create(collection));
            all.add(write(collection));
        }
        all.addAll(GEM);
        return Set.copyOf(all);
    }
}
