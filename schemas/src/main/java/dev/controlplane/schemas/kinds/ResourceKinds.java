package dev.controlplane.schemas.kinds;

import dev.controlplane.schemas.access.Scopes;
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

    /** Scopes an access policy may grant: this API's own ({@link Scopes}), and GEM's for its metrics clusters. */
    public static final Set<String> SCOPES = Scopes.ALL;

    private static final FieldType SELECTOR = FieldType.parsed(FieldType.string(2, 1024), "promql-selector", PromqlSelector::problem);

    private static final FieldType REALM = FieldType.object(
            Map.of(
                    "tenant", FieldType.matching(Pattern.compile("\\*|[a-z0-9_-]{3,64}"), "a tenant name or \"*\""),
                    "cluster", ResourceKind.NAME_TYPE,
                    "label_policies", FieldType.arrayOf(
                            FieldType.object(Map.of("selector", SELECTOR), Set.of("selector")), 0, 64)),
            Set.of("tenant", "cluster"));

    /**
     * A GEM access policy: realms (existing tenant or "*", existing cluster, optional label policies), scopes, and
     * optionally a rate limit for the tokens it governs.
     */
    public static final ResourceKind ACCESS_POLICY = ResourceKind.of("access_policy", "accesspolicies",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "realms", FieldType.arrayOf(REALM, 1, 256),
                    "scopes", FieldType.setOf(FieldType.oneOf(SCOPES), 1, SCOPES.size()),
                    "rate_limit", FieldType.object(Map.of(
                            "requests_per_minute", FieldType.integer(1, 1_000_000)), Set.of())),
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

    private static final FieldType DURATION = FieldType.matching(Pattern.compile("[0-9]{1,6}(ms|s|m|h|d)"),
            "a duration such as 500ms, 30s, 5m, 2h or 5d");
    private static final FieldType CIDR = FieldType.matching(Pattern.compile("[0-9a-fA-F:.]{2,45}/[0-9]{1,3}"),
            "an address range such as 10.0.0.0/8 or fd00::/8");

    /**
     * The system's configuration: one versioned document, read and written as JSON or YAML. Its sections are
     * settings of this control plane; each is optional and its absence means the built-in default.
     */
    public static final ResourceKind CONFIG = ResourceKind.of("config", "config",
            ResourceKind.fields(
                    "audit", FieldType.object(Map.of(
                            "retention_days", FieldType.integer(1, 36_500)), Set.of()),
                    "tokens", FieldType.object(Map.of(
                            "default_lifetime_days", FieldType.integer(1, 3_650),
                            "max_lifetime_days", FieldType.integer(1, 3_650)), Set.of()),
                    "webhooks", FieldType.object(Map.of(
                            "retry_schedule", FieldType.arrayOf(DURATION, 0, 32),
                            "attempt_timeout", DURATION,
                            "disable_after", DURATION,
                            "secret_rotation_overlap", DURATION,
                            "allowed_private_targets", FieldType.arrayOf(CIDR, 0, 64)), Set.of()),
                    "rate_limits", FieldType.object(Map.of(
                            "requests_per_minute", FieldType.integer(1, 1_000_000),
                            "max_failed_auth", FieldType.integer(1, 1_000)), Set.of()),
                    "labels", FieldType.anyObject(64)),
            Set.of())
            .singletonNamed("current");

    /** One API key as stored: the secret only as a hash, and a masked form to recognise it by. */
    private static final FieldType API_KEY = FieldType.object(Map.of(
                    "name", ResourceKind.NAME_TYPE,
                    "description", FieldType.string(0, 1024),
                    "key_hash", FieldType.string(1, 128),
                    "masked", FieldType.string(1, 64),
                    "created_at", FieldType.timestamp()),
            Set.of("name", "key_hash", "masked"));

    /**
     * The API keys: one document, so that replacing them all is one command, all or nothing; keys can also be
     * added, patched and removed one at a time. Secrets are generated or hashed before the command is written.
     */
    public static final ResourceKind API_KEYS = ResourceKind.of("api_keys", "api-keys",
            ResourceKind.fields("keys", FieldType.arrayOf(API_KEY, 0, 1000)),
            Set.of())
            .singletonNamed("current")
            .withItems("keys");

    /**
     * An uploaded license, as GEM lists it: its decoded claims under {@code token}. Only the license upload route
     * writes one (it checks the signature and expiry first); once stored it does not change.
     */
    public static final ResourceKind LICENSE = ResourceKind.of("license", "licenses",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "token", FieldType.anyObject(64),
                    "license_sha256", FieldType.matching(Pattern.compile("[0-9a-f]{64}"), "a SHA-256 in hex"),
                    "verified", FieldType.bool()),
            Set.of("token", "license_sha256", "verified"))
            .immutable();

    /** The license upload's body ({@code POST /api/v1/licenses}): the signed license, decoded into a {@link #LICENSE}. */
    public static final FieldType LICENSE_UPLOAD = FieldType.object(Map.of(
            "name", ResourceKind.NAME_TYPE,
            "display_name", DISPLAY_NAME,
            "license", FieldType.string(16, 16 * 1024)), Set.of("name", "license"));

    /** An event type filter: {@code tenant.created}, {@code tenant.*}, {@code *.deactivated} or {@code *}. */
    private static final FieldType EVENT_FILTER = FieldType.matching(
            Pattern.compile("\\*|(\\*|[a-z_]{1,64})\\.(\\*|[a-z_]{1,64})"), "an event type such as tenant.created, tenant.*, *.deactivated or *");

    /**
     * A webhook subscription: where to deliver which events. Its signing secret ({@code whsec_…}) is returned once
     * and kept only sealed; rotating it keeps the previous one valid for an overlap, during which deliveries carry
     * both signatures. The target is checked against the SSRF guard when it is set and again at every delivery.
     */
    public static final ResourceKind WEBHOOK = ResourceKind.of("webhook", "webhooks",
            ResourceKind.fields(
                    "display_name", DISPLAY_NAME,
                    "url", FieldType.matching(Pattern.compile("https?://[^\\s]{1,2040}"), "an http(s) URL"),
                    "events", FieldType.setOf(EVENT_FILTER, 1, 64),
                    "description", FieldType.string(0, 1024)),
            Set.of("url", "events"))
            .sealingSecret();

    public static final List<ResourceKind> ALL = List.of(CLUSTER, TENANT, ACCESS_POLICY, TOKEN, ROLE, USER, PLUGIN, CONFIG,
            API_KEYS, LICENSE, WEBHOOK);

    private static final Map<String, ResourceKind> BY_NAME =
            ALL.stream().collect(Collectors.toMap(ResourceKind::name, Function.identity()));
    /** Collections served by the generic routes; single-document kinds have routes of their own. */
    private static final Map<String, ResourceKind> BY_COLLECTION = ALL.stream().filter(kind -> !kind.isSingleton())
            .collect(Collectors.toMap(ResourceKind::collection, Function.identity()));

    private ResourceKinds() {
    }

    public static Optional<ResourceKind> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Optional<ResourceKind> byCollection(String collection) {
        return Optional.ofNullable(BY_COLLECTION.get(collection));
    }
}
