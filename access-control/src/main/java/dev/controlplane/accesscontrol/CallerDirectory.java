package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.httpsupport.TenantBindings;
import dev.controlplane.httpsupport.ViewHealth;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogFollower;
import dev.controlplane.kafkasupport.TopicProvisioner;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;

/**
 * Every instance's view of who may call: the tokens (by the hash of their secret), access policies, users, roles,
 * tenants and the rate-limit settings, read from the event log itself (every partition, no consumer group), so a
 * token deactivated through any instance is refused by every instance as soon as its event is read (within a poll,
 * tens of milliseconds). Records of other kinds are skipped by their key, unparsed.
 *
 * <p>It never answers from a view that is not current: until it has read everything committed when it started, and
 * whenever it has not read for a while, authentication answers 503. A token it does not know is looked up again
 * after the view has caught up with everything committed before the request (bounded), so a token created a moment
 * ago through another instance authenticates at once instead of being refused.
 */
public final class CallerDirectory implements SmartLifecycle, ViewHealth, TenantBindings {

    private static final Set<String> KINDS = Set.of("token", "access_policy", "user", "role", "tenant", "config");
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(2);

    record Token(String name, String policy, String status, Instant expiration) {
    }

    record Policy(String status, Set<String> scopes, Set<String> tenants, Integer requestsPerMinute) {
    }

    record User(String status, Set<String> roles) {
    }

    record Role(String status, Set<String> scopes) {
    }

    /** The configuration's {@code rate_limits}: null where the document does not set them. */
    record Limits(Integer requestsPerMinute, Integer maxFailedAuth) {
    }

    private final KafkaSettings kafka;
    private final Map<String, Token> tokensByHash = new ConcurrentHashMap<>();
    private final Map<String, String> hashByToken = new ConcurrentHashMap<>();
    private final Map<String, Policy> policies = new ConcurrentHashMap<>();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, String> tenants = new ConcurrentHashMap<>();
    private volatile Limits limits = new Limits(null, null);
    private final LogFollower follower;
    private volatile boolean running;

    public CallerDirectory(KafkaSettings kafka) {
        this.kafka = kafka;
        this.follower = new LogFollower("caller-directory", kafka, Topics.EVENTS, () -> { }, record -> {
            String key = record.key();
            int slash = key == null ? -1 : key.indexOf('/');
            String kind = slash < 0 ? null : key.substring(0, slash);
            if (kind != null && KINDS.contains(kind) && record.value() != null) {
                apply(kind, Envelopes.readEvent(record.value()));
            }
        });
    }

    // --- what authentication asks

    /** The caller a token secret's hash names, if it may call now; or why it may not. */
    sealed interface TokenLookup {
        record Found(CallerIdentity caller) implements TokenLookup {
        }

        record Refused(String tokenName, String reason) implements TokenLookup {
        }

        record Unknown() implements TokenLookup {
        }
    }

    TokenLookup token(String hash, Instant now) {
        requireCurrent();
        Token token = tokensByHash.get(hash);
        if (token == null) {
            requireCaughtUp(now);
            token = tokensByHash.get(hash);
        }
        if (token == null) {
            return new TokenLookup.Unknown();
        }
        if (!"active".equals(token.status())) {
            return new TokenLookup.Refused(token.name(), "token is deactivated");
        }
        if (token.expiration() != null && !token.expiration().isAfter(now)) {
            return new TokenLookup.Refused(token.name(), "token has expired");
        }
        Policy policy = policies.get(token.policy());
        if (policy == null || !"active".equals(policy.status())) {
            return new TokenLookup.Refused(token.name(), "its access policy is not active");
        }
        return new TokenLookup.Found(new CallerIdentity("token", token.name(), policy.scopes(), policy.tenants(),
                token.expiration(), policy.requestsPerMinute()));
    }

    /** The scopes of a user's active roles; empty when there is no such active user. */
    Optional<Set<String>> userScopes(String username, Instant now) {
        requireCurrent();
        User user = users.get(username);
        if (user == null) {
            requireCaughtUp(now);
            user = users.get(username);
        }
        if (user == null || !"active".equals(user.status())) {
            return Optional.empty();
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String roleName : user.roles()) {
            Role role = roles.get(roleName);
            if (role != null && "active".equals(role.status())) {
                scopes.addAll(role.scopes());
            }
        }
        return Optional.of(scopes);
    }

    Limits limits() {
        return limits;
    }

    /** The scopes and tenants an access policy grants, if it exists. */
    public Optional<Set<String>> policyScopes(String name) {
        return Optional.ofNullable(policies.get(name)).map(Policy::scopes);
    }

    /**
     * The scopes the roles among {@code names} would grant, inactive ones included: a role given while inactive
     * grants its scopes the moment it is reactivated, so handing it out is handing them out.
     */
    public Set<String> roleScopes(Set<String> names) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String name : names) {
            Role role = roles.get(name);
            if (role != null) {
                scopes.addAll(role.scopes());
            }
        }
        return scopes;
    }

    /** The access policy a token is on, and the roles a user holds, as the directory has them now. */
    public Optional<String> tokenPolicyOf(String token) {
        return Optional.ofNullable(tokenPolicy(token));
    }

    public Set<String> userRoles(String username) {
        User user = users.get(username);
        return user == null ? Set.of() : user.roles();
    }

    public Optional<Set<String>> roleScopesOf(String role) {
        return Optional.ofNullable(roles.get(role)).map(Role::scopes);
    }

    /** Every resource of a tenant-bound kind, for a caller that may see only some. */
    public Map<String, Set<String>> tenantBoundNames() {
        return Map.of("tenant", Set.copyOf(tenants.keySet()), "access_policy", Set.copyOf(policies.keySet()),
                "token", Set.copyOf(hashByToken.keySet()));
    }

    @Override
    public Set<String> tenantsOf(String kind, String name, JsonNode data) {
        return switch (kind) {
            case "tenant" -> Set.of(name);
            case "access_policy" -> data != null ? realmTenants(data)
                    : Optional.ofNullable(policies.get(name)).map(Policy::tenants).orElse(Set.of());
            case "token" -> {
                String policy = data != null ? data.path("access_policy").asString(null) : tokenPolicy(name);
                yield policy == null ? Set.of() : Optional.ofNullable(policies.get(policy)).map(Policy::tenants).orElse(Set.of());
            }
            default -> Set.of();
        };
    }

    private String tokenPolicy(String name) {
        String hash = hashByToken.get(name);
        Token token = hash == null ? null : tokensByHash.get(hash);
        return token == null ? null : token.policy();
    }

    /** Catches up, or answers 503: a lookup that could not be made current must not become a wrong 401. */
    void requireCaughtUp(Instant now) {
        if (!catchUpTo(now)) {
            throw new DirectoryNotCurrentException("the directory of callers could not catch up with the log in time");
        }
    }

    private void requireCurrent() {
        String why = problem();
        if (why != null) {
            throw new DirectoryNotCurrentException("the directory of callers is not current: " + why);
        }
    }

    // --- following the log

    private void apply(String kind, EventEnvelope event) {
        JsonNode data = event.data();
        String name = event.resource().name();
        String status = data.path("status").asString("active");
        switch (kind) {
            case "token" -> {
                String hash = data.path("secret_hash").asString(null);
                if (hash == null) {
                    return;
                }
                String previous = hashByToken.put(name, hash);
                if (previous != null && !previous.equals(hash)) {
                    tokensByHash.remove(previous);
                }
                tokensByHash.put(hash, new Token(name, data.path("access_policy").asString(null), status,
                        instant(data.path("expiration").asString(null))));
            }
            case "access_policy" -> {
                JsonNode limit = data.path("rate_limit").path("requests_per_minute");
                policies.put(name, new Policy(status, strings(data.path("scopes")), realmTenants(data),
                        limit.isIntegralNumber() ? limit.asInt() : null));
            }
            case "user" -> users.put(name, new User(status, strings(data.path("roles"))));
            case "role" -> roles.put(name, new Role(status, strings(data.path("scopes"))));
            case "tenant" -> tenants.put(name, status);
            case "config" -> {
                JsonNode section = data.path("rate_limits");
                JsonNode rpm = section.path("requests_per_minute");
                JsonNode failures = section.path("max_failed_auth");
                limits = new Limits(rpm.isIntegralNumber() ? rpm.asInt() : null, failures.isIntegralNumber() ? failures.asInt() : null);
            }
            default -> {
            }
        }
    }

    private static Set<String> realmTenants(JsonNode policy) {
        Set<String> names = new LinkedHashSet<>();
        policy.path("realms").forEach(realm -> names.add(realm.path("tenant").asString()));
        return Set.copyOf(names);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(value -> values.add(value.asString()));
        return Set.copyOf(values);
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** Starts before and stops after the web server, so no request is served without it. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1_000;
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(kafka);
        running = true;
        follower.start();
    }

    /** Brings the view up to everything committed before {@code moment}; false when it cannot in time. */
    boolean catchUpTo(Instant moment) {
        return follower.catchUpTo(moment, CATCH_UP_LIMIT);
    }

    @Override
    public String name() {
        return "caller-directory";
    }

    @Override
    public String problem() {
        return follower.problem();
    }

    @Override
    public synchronized void stop() {
        running = false;
        follower.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Authentication cannot be decided now; the caller should retry (503). Not an AuthenticationServiceException:
     * Spring Security rethrows those past the entry point, which would answer 500 instead.
     */
    static final class DirectoryNotCurrentException extends org.springframework.security.core.AuthenticationException {
        DirectoryNotCurrentException(String message) {
            super(message);
        }
    }
}
