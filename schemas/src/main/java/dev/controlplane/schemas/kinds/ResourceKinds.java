package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.kinds.ResourceKind.Reference;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Every resource kind the system serves; the one place a new kind is declared, with its schema and its rules. */
public final class ResourceKinds {

    private static final FieldType DISPLAY_NAME = FieldType.string(0, 256);

    /** A GEM cluster: immutable once created, so it has no ETag and no update. */
    public static final ResourceKind CLUSTER = ResourceKind.of("cluster", "clusters",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "kind", FieldType.string(1, 64),
                    "base_url", FieldType.matching(Pattern.compile("|https?://[^\\s]{1,2040}"), "an http(s) URL or empty")),
            Set.of()).immutable();

    /** A GEM tenant: scoped to one existing cluster. */
    public static final ResourceKind TENANT = ResourceKind.of("tenant", "tenants",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "cluster", ResourceKind.NAME_TYPE),
            Set.of("cluster"))
            .referencing(new Reference("cluster", "cluster", false));

    /** Scopes an access policy may grant: GEM's, plus this API's own read scopes. */
    public static final Set<String> SCOPES = Set.of(
            "admin", "admin:read", "audit:read",
            "alerts:read", "alerts:write", "metrics:delete", "metrics:read", "metrics:write", "rules:read", "rules:write");

    private static final FieldType SELECTOR = FieldType.parsed(FieldType.string(2, 1024), "promql-selector", PromqlSelector::problem);

    private static final FieldType REALM = FieldType.object(
            Map.of(
                    "tenant", FieldType.matching(Pattern.compile("\\*|[a-z0-9_-]{3,64}"), "a tenant name or \"*\""),
                    "cluster", ResourceKind.NAME_TYPE,
                    "label_policies", FieldType.arrayOf(
                            FieldType.object(Map.of("selector", SELECTOR), Set.of("selector")), 0, 64)),
            Set.of("tenant", "cluster"));

    /** A GEM access policy: realms (existing tenant or "*", existing cluster, optional label policies) and scopes. */
    public static final ResourceKind ACCESS_POLICY = ResourceKind.of("access_policy", "accesspolicies",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "realms", FieldType.arrayOf(REALM, 1, 256),
                    "scopes", FieldType.setOf(FieldType.oneOf(SCOPES), 1, SCOPES.size())),
            Set.of("realms", "scopes"))
            .referencing(new Reference("realms/*/tenant", "tenant", false), new Reference("realms/*/cluster", "cluster", false));

    /**
     * A GEM token: bound to an access policy. Its secret is generated at creation, returned once, and only its hash
     * is kept; a token authenticates only while it, its policy, and its expiration allow.
     */
    public static final ResourceKind TOKEN = ResourceKind.of("token", "tokens",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "access_policy", ResourceKind.NAME_TYPE,
                    "expiration", FieldType.timestamp()),
            Set.of("access_policy"))
            .referencing(new Reference("access_policy", "access_policy", false))
            .issuingSecret();

    /** Role scopes: {@code area} or {@code area:action}, such as {@code users:read}, {@code plugins:manage}. */
    private static final FieldType ROLE_SCOPE = FieldType.matching(Pattern.compile("[a-z][a-z_-]{0,63}(:[a-z*][a-z_*-]{0,63})?"),
            "a scope such as users:read or plugins:manage");

    /** A role: a named set of scopes; it cannot be deactivated while users hold it, unless forced. */
    public static final ResourceKind ROLE = ResourceKind.of("role", "roles",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "description", FieldType.string(0, 1024),
                    "scopes", FieldType.setOf(ROLE_SCOPE, 0, 256)),
            Set.of("scopes"));

    private static final FieldType EMAIL = FieldType.matching(
            Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s.]{1,63}"), "an e-mail address");

    /** A user, named by its username, holding existing roles. */
    public static final ResourceKind USER = ResourceKind.of("user", "users",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "email", EMAIL,
                    "roles", FieldType.setOf(ResourceKind.NAME_TYPE, 0, 64)),
            Set.of())
            .namedBy("username")
            .referencing(new Reference("roles/*", "role", true));

    /** A plugin: where it comes from, which version, its configuration, and whether it runs. */
    public static final ResourceKind PLUGIN = ResourceKind.of("plugin", "plugins",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "version", FieldType.matching(Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}"), "a version such as 1.4.2"),
                    "source", FieldType.string(1, 2048),
                    "config", FieldType.anyObject(256),
                    "enabled", FieldType.bool()),
            Set.of("version", "source"));

    public static final List<ResourceKind> ALL = List.of(CLUSTER, TENANT, ACCESS_POLICY, TOKEN, ROLE, USER, PLUGIN);

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
