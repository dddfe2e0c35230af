package dev.controlplane.schemas.kinds;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Every resource kind the system serves; the one place a new kind is declared. */
public final class ResourceKinds {

    private static final FieldType DISPLAY_NAME = FieldType.string(0, 256);

    /** A GEM tenant: scoped to one cluster. */
    public static final ResourceKind TENANT = new ResourceKind("tenant", "tenants",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "cluster", ResourceKind.NAME_TYPE),
            Set.of("cluster"));

    /** Scopes an access policy may grant: GEM's, plus this API's own read scopes. */
    public static final Set<String> SCOPES = Set.of(
            "admin", "admin:read", "audit:read",
            "alerts:read", "alerts:write", "metrics:delete", "metrics:read", "metrics:write", "rules:read", "rules:write");

    private static final FieldType REALM = FieldType.object(
            Map.of(
                    "tenant", FieldType.matching(Pattern.compile("\\*|[a-z0-9_-]{3,64}"), "a tenant name or \"*\""),
                    "cluster", ResourceKind.NAME_TYPE,
                    "label_policies", FieldType.arrayOf(
                            FieldType.object(Map.of("selector", FieldType.string(2, 1024)), Set.of("selector")), 0, 64)),
            Set.of("tenant", "cluster"));

    /** A GEM access policy: realms (tenant/cluster pairs, optional label policies) and scopes. */
    public static final ResourceKind ACCESS_POLICY = new ResourceKind("access_policy", "accesspolicies",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "realms", FieldType.arrayOf(REALM, 1, 256),
                    "scopes", FieldType.arrayOf(FieldType.oneOf(SCOPES), 1, SCOPES.size())),
            Set.of("realms", "scopes"));

    public static final List<ResourceKind> ALL = List.of(TENANT, ACCESS_POLICY);

    private static final Map<String, ResourceKind> BY_NAME =
            ALL.stream().collect(Collectors.toMap(ResourceKind::name, Function.identity()));
    private static final Map<String, ResourceKind> BY_COLLECTION =
            ALL.stream().collect(Collectors.toMap(ResourceKind::collection, Function.identity()));

    private ResourceKinds() {
    }

    public static Optional<ResourceKind> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Optional<ResourceKind> byCollection(String collection) {
        return Optional.ofNullable(BY_COLLECTION.get(collection));
    }
}
