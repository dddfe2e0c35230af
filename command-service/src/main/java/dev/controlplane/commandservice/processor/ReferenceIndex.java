package dev.controlplane.commandservice.processor;

import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogFollower;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.kinds.ResourceKind.Reference;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * Every processor's view of the resources other commands refer to, read from the processor's compacted changelog
 * (all partitions: a reference crosses partitions). The changelog holds one record per resource, written in the same
 * transaction as the events, so reading it costs the number of resources, not the length of history. The view keeps
 * only what decisions ask: the status of resources of kinds that are referred to, and for references that block a
 * deactivation, who refers to what.
 *
 * <p>It trails the log by the time a poll takes, so a decision that looks something up first makes it current as of
 * the moment its command was sent ({@link #asOf}): it asks the broker for the committed end of every partition and
 * waits until it has read that far, unless a catch-up that started after the command was sent already did. Under
 * load one catch-up serves every command sent before it. Commands that do not look anything up never wait.
 */
final class ReferenceIndex implements ReferenceView, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReferenceIndex.class);
    /**
     * How long a decision waits for the view. It waits inside the processor's open transaction (10 s timeout), so
     * it is a small fraction of that: past it the command is answered 503 with Retry-After and nothing is written.
     * After a start the view first reads the whole changelog (about 4 s for a million resources here); until then
     * commands that look something up are answered 503, commands that look nothing up are decided at once.
     */
    static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(1);
    /** How long a refusal of a reference waits for commit markers still on their way (see {@link #confirm}). */
    private static final Duration CONFIRM_LIMIT = Duration.ofMillis(250);
    /** Allowance for the clocks of the gateway that stamped a command and of this processor to differ. */
    private static final Duration CLOCK_SKEW = Duration.ofMillis(50);
    private static final String CHANGELOG = CommandProcessor.CHANGELOG;
    private static final String ACTIVE = "active";

    private final KafkaSettings kafka;
    private final Set<String> referredKinds;
    /** Kinds with a reference that blocks deactivating its target: only theirs are read whole. */
    private final Set<String> blockingKinds;
    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    /** target key → kind|path → names of active referrers. */
    private final Map<String, Map<String, Set<String>>> referrers = new ConcurrentHashMap<>();
    /** referrer key → kind|path → targets it names, to undo on its next event. */
    private final Map<String, Map<String, Set<String>>> outgoing = new HashMap<>();
    private final LogFollower follower;

    ReferenceIndex(KafkaSettings kafka) {
        this.kafka = kafka;
        this.referredKinds = ResourceKinds.ALL.stream().flatMap(k -> k.references().stream())
                .map(Reference::targetKind).collect(Collectors.toUnmodifiableSet());
        this.blockingKinds = ResourceKinds.ALL.stream().filter(k -> k.references().stream().anyMatch(Reference::blocksDeactivation))
                .map(ResourceKind::name).collect(Collectors.toUnmodifiableSet());
        this.follower = new LogFollower("reference-index", kafka, CHANGELOG, this::ensureChangelog, record -> {
            if (record.value() != null) {
                apply(record.key(), record.value());
            }
        });
    }

    void start() {
        follower.start();
    }

    /** True once the view has read everything that was committed when it started. */
    boolean loaded() {
        return follower.loaded();
    }

    /** Null while the view is current; otherwise why not, for {@code /health}. */
    String problem() {
        return follower.problem();
    }

    /**
     * Streams creates its changelog when it first runs, after this view starts; so on a fresh log the view creates
     * it, as Streams would: compacted, one partition per command partition.
     */
    private void ensureChangelog() {
        try {
            Admin admin = follower.admin();
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(CHANGELOG)) {
                return;
            }
            int commandPartitions = admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.COMMANDS).partitions().size();
            admin.createTopics(List.of(new NewTopic(CHANGELOG, commandPartitions, kafka.replicationFactor())
                    .configs(Map.of("cleanup.policy", "compact", "min.insync.replicas", String.valueOf(kafka.minInsyncReplicas()))))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + CHANGELOG, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + CHANGELOG, e);
        }
    }

    private void apply(String key, byte[] stored) {
        ResourceRef resource = ResourceRef.fromKey(key);
        boolean referred = referredKinds.contains(resource.kind());
        if (!blockingKinds.contains(resource.kind())) {
            // Most kinds need their status at most. A new owner reads every stored resource while Streams restores on
            // the same cores, so those are scanned for the one field rather than built into a tree; and the one status
            // nearly all of them share is kept once, not once per resource.
            if (referred) {
                String status = dataStatus(stored);
                statuses.put(key, status.equals(ACTIVE) ? ACTIVE : status);
            }
            return;
        }
        ResourceKind kind = ResourceKinds.byName(resource.kind()).orElseThrow();
        JsonNode data = Envelopes.MAPPER.readTree(stored).path("data");
        String status = data.path("status").asString();
        if (referred) {
            statuses.put(key, status);
        }
        for (Reference reference : kind.references()) {
            if (!reference.blocksDeactivation()) {
                continue;
            }
            String slot = kind.name() + "|" + reference.path();
            Map<String, Set<String>> mine = outgoing.computeIfAbsent(key, k -> new HashMap<>());
            for (String target : mine.getOrDefault(slot, Set.of())) {
                Set<String> names = referrers.getOrDefault(new ResourceRef(reference.targetKind(), target).key(), Map.of()).get(slot);
                if (names != null) {
                    names.remove(resource.name());
                }
            }
            Set<String> targets = status.equals(ACTIVE) ? reference.targets(data) : Set.of();
            mine.put(slot, new HashSet<>(targets));
            for (String target : targets) {
                referrers.computeIfAbsent(new ResourceRef(reference.targetKind(), target).key(), k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(slot, s -> ConcurrentHashMap.newKeySet())
                        .add(resource.name());
            }
        }
    }

    /** {@code data.status} of a stored resource ("" when it has none), read with the streaming parser. */
    static String dataStatus(byte[] stored) {
        try (JsonParser parser = Envelopes.MAPPER.createParser(stored)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                JsonToken value = parser.nextToken();
                if (!name.equals("data")) {
                    parser.skipChildren();
                } else if (value != JsonToken.START_OBJECT) {
                    return "";
                } else {
                    for (String field = parser.nextName(); field != null; field = parser.nextName()) {
                        JsonToken fieldValue = parser.nextToken();
                        if (field.equals("status")) {
                            return fieldValue.isScalarValue() && fieldValue != JsonToken.VALUE_NULL ? parser.getString() : "";
                        }
                        parser.skipChildren();
                    }
                    return "";
                }
            }
            return "";
        }
    }

    @Override
    public Snapshot asOf(Instant issuedAt) {
        return new Snapshot() {
            private boolean checked;
            private boolean unavailable;
            /** One budget for every refusal this decision confirms, however many references it checks. */
            private long confirmDeadline;

            private void current() {
                if (!checked) {
                    checked = true;
                    unavailable = !catchUpTo(issuedAt.plus(CLOCK_SKEW));
                }
            }

            @Override
            public Optional<String> status(ResourceRef resource) {
                current();
                String status = statuses.get(resource.key());
                if (!unavailable && !ACTIVE.equals(status)) {
                    if (confirmDeadline == 0) {
                        confirmDeadline = System.nanoTime() + CONFIRM_LIMIT.toNanos();
                    }
                    confirm(resource, confirmDeadline);
                    status = statuses.get(resource.key());
                }
                return Optional.ofNullable(status);
            }

            @Override
            public List<ResourceRef> referrers(ResourceRef target, String kind, String path) {
                current();
                Set<String> names = referrers.getOrDefault(target.key(), Map.of()).get(kind + "|" + path);
                return names == null ? List.of() : names.stream().sorted().map(name -> new ResourceRef(kind, name)).toList();
            }

            @Override
            public boolean unavailable() {
                return unavailable;
            }
        };
    }

    /**
     * Before a decision refuses a reference as missing or inactive, makes sure no committed change to it is still
     * on its way. A transaction's commit markers reach its partitions one after another: its result can be visible
     * (so the client sent the command that refers to it) while the marker on the changelog partition holding the
     * referred resource is not written yet, and that partition's committed end does not include it. So this waits,
     * briefly, until that partition's committed end reaches what had been written to it, and reads up to there.
     * If an open transaction holds it back for longer (the processor's own, deciding this very batch), the view is
     * answered as it is: a transaction that committed before the command was sent has long written its markers.
     */
    private void confirm(ResourceRef resource, long deadline) {
        List<TopicPartition> known = follower.partitions();
        if (known.isEmpty() || System.nanoTime() >= deadline) {
            return;
        }
        int index = Utils.toPositive(Utils.murmur2(resource.key().getBytes(StandardCharsets.UTF_8))) % known.size();
        TopicPartition partition = new TopicPartition(CHANGELOG, index);
        try {
            long written = follower.end(partition, IsolationLevel.READ_UNCOMMITTED, CATCH_UP_LIMIT);
            long committed = follower.end(partition, IsolationLevel.READ_COMMITTED, CATCH_UP_LIMIT);
            while (committed < written && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                committed = follower.end(partition, IsolationLevel.READ_COMMITTED, CATCH_UP_LIMIT);
            }
            follower.awaitPosition(partition, committed, deadline);
        } catch (Exception e) {
            log.warn("could not confirm that {} is missing or inactive: {}", resource.key(), e.toString());
        }
    }

    /** True once the view has read everything committed before {@code moment} (waits up to the catch-up limit). */
    boolean catchUpTo(Instant moment) {
        return follower.catchUpTo(moment, CATCH_UP_LIMIT);
    }

    @Override
    public void close() {
        follower.close();
    }
}
