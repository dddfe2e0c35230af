package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.httpsupport.TenantBindings;
import dev.controlplane.httpsupport.ViewHealth;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.TopicProvisioner;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger log = LoggerFactory.getLogger(CallerDirectory.class);
    private static final Set<String> KINDS = Set.of("token", "access_policy", "user", "role", "tenant", "config");
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(2);
    private static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final Duration CONFIRM_EVERY = Duration.ofSeconds(2);

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
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    // Locks, not monitors: requests wait here on virtual threads, which a monitor would pin to their carrier (JDK 21).
    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition progressed = progressLock.newCondition();
    private final ReentrantLock catchingUp = new ReentrantLock();
    private volatile Instant currentAsOf = Instant.MIN;
    private volatile boolean running;
    private volatile boolean loaded;
    /** When the broker last answered this view (an offset lookup); the view is stale past {@link #STALE_AFTER}. */
    private volatile long lastPollNanos = System.nanoTime();
    private volatile long lastConfirmedNanos;
    private volatile String problem = "starting";
    private volatile List<TopicPartition> partitions = List.of();
    private Admin admin;
    private Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public CallerDirectory(KafkaSettings kafka) {
        this.kafka = kafka;
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
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        running = true;
        thread = Thread.ofPlatform().name("caller-directory").daemon().start(this::run);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A revoked token must stop working at once: return from a fetch as soon as anything is there.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    private void run() {
        Map<TopicPartition, Long> startEnds = null;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = newConsumer();
                }
                if (consumer.assignment().isEmpty() && !assign()) {
                    problem = "waiting for the partitions of " + Topics.EVENTS;
                    pause();
                    continue;
                }
                if (startEnds == null) {
                    startEnds = committedEnds();
                }
                poll();
                if (System.nanoTime() - lastConfirmedNanos > CONFIRM_EVERY.toNanos()) {
                    // An empty poll does not prove the broker answers: asking for the ends does.
                    committedEnds();
                    lastConfirmedNanos = System.nanoTime();
                    lastPollNanos = lastConfirmedNanos;
                }
                if (!loaded && reached(startEnds)) {
                    loaded = true;
                    lastPollNanos = System.nanoTime();
                    log.info("caller directory loaded: {} tokens, {} access policies, {} users, {} roles",
                            hashByToken.size(), policies.size(), users.size(), roles.size());
                }
                problem = null;
                signalProgress();
            } catch (WakeupException e) {
                break;
            } catch (Exception e) {
                problem = e.toString();
                log.warn("caller directory could not read {}; trying again: {}", Topics.EVENTS, e.toString());
                closeConsumer();
                pause();
            }
        }
        closeConsumer();
    }

    private boolean assign() {
        List<TopicPartition> found = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
        if (found.isEmpty()) {
            return false;
        }
        consumer.assign(found);
        for (TopicPartition partition : found) {
            Long position = positions.get(partition);
            if (position == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, position);
            }
        }
        partitions = found;
        return true;
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            String key = record.key();
            int slash = key == null ? -1 : key.indexOf('/');
            String kind = slash < 0 ? null : key.substring(0, slash);
            if (kind == null || !KINDS.contains(kind) || record.value() == null) {
                continue;
            }
            try {
                apply(kind, Envelopes.readEvent(record.value()));
            } catch (RuntimeException e) {
                log.warn("caller directory skips the event at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.toString());
            }
        }
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
    }

    /**
     * Brings the view up to everything committed before {@code moment}; false when it cannot in time. One catch-up
     * at a time: requests that arrive while one runs are served together by the next, so a flood of unknown tokens
     * costs one offset lookup per round trip, not one per request.
     */
    boolean catchUpTo(Instant moment) {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        try {
            if (!catchingUp.tryLock(CATCH_UP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (!currentAsOf.isBefore(moment)) {
                return true;
            }
            Instant started = Instant.now();
            Map<TopicPartition, Long> ends = committedEnds();
            if (!awaitProgress(() -> reached(ends), deadline)) {
                return false;
            }
            currentAsOf = started;
            return true;
        } catch (Exception e) {
            log.warn("could not catch the caller directory up: {}", e.toString());
            return false;
        } finally {
            catchingUp.unlock();
        }
    }

    /** Waits (bounded) until the view has read everything committed when it started. */
    public boolean awaitLoaded(Duration timeout) {
        return awaitProgress(() -> loaded, System.nanoTime() + timeout.toNanos());
    }

    private boolean awaitProgress(java.util.function.BooleanSupplier done, long deadlineNanos) {
        progressLock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !running) {
                    return false;
                }
                progressed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            progressLock.unlock();
        }
    }

    private void signalProgress() {
        progressLock.lock();
        try {
            progressed.signalAll();
        } finally {
            progressLock.unlock();
        }
    }

    private Map<TopicPartition, Long> committedEnds() throws Exception {
        List<TopicPartition> known = partitions;
        if (known.isEmpty()) {
            throw new IllegalStateException("the partitions of " + Topics.EVENTS + " are not known yet");
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        known.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(CATCH_UP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        return !ends.isEmpty() && ends.entrySet().stream().allMatch(end -> positions.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                log.debug("closing the caller directory consumer: {}", e.toString());
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public String name() {
        return "caller-directory";
    }

    @Override
    public String problem() {
        if (!loaded) {
            return problem == null ? "loading" : problem;
        }
        long silent = System.nanoTime() - lastPollNanos;
        return silent > STALE_AFTER.toNanos() ? "has not read the log for " + TimeUnit.NANOSECONDS.toSeconds(silent) + " s" : null;
    }

    @Override
    public synchronized void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
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
