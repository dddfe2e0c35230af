package dev.controlplane.commandservice.processor;

import dev.controlplane.kafkasupport.KafkaSettings;
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
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    /** A view whose reader has not completed a poll for this long is reported as not current. */
    private static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
    /** How long a refusal of a reference waits for commit markers still on their way (see {@link #confirm}). */
    private static final Duration CONFIRM_LIMIT = Duration.ofMillis(250);
    /** Allowance for the clocks of the gateway that stamped a command and of this processor to differ. */
    private static final Duration CLOCK_SKEW = Duration.ofMillis(50);

    private final KafkaSettings kafka;
    private final Set<String> referredKinds;
    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    /** target key → kind|path → names of active referrers. */
    private final Map<String, Map<String, Set<String>>> referrers = new ConcurrentHashMap<>();
    /** referrer key → kind|path → targets it names, to undo on its next event. */
    private final Map<String, Map<String, Set<String>>> outgoing = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    private final Object catchingUp = new Object();
    private volatile Instant currentAsOf = Instant.MIN;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private Admin admin;
    private volatile List<TopicPartition> partitions = List.of();
    /** Set once the view has read, at least once, everything committed when it started. */
    private volatile boolean loaded;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String problem = "starting";

    private static final String CHANGELOG = CommandProcessor.CHANGELOG;

    ReferenceIndex(KafkaSettings kafka) {
        this.kafka = kafka;
        this.referredKinds = ResourceKinds.ALL.stream().flatMap(k -> k.references().stream())
                .map(Reference::targetKind).collect(Collectors.toUnmodifiableSet());
    }

    void start() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        thread = Thread.ofPlatform().name("reference-index").daemon().start(this::run);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /**
     * Assigns every partition of the changelog, from where the view left off (the beginning the first time).
     * Right after the topic is created its metadata may list no partitions yet: then this answers false and the
     * caller tries again, instead of reading nothing for ever.
     */
    private boolean assign() {
        ensureChangelog();
        List<TopicPartition> found = consumer.partitionsFor(CHANGELOG, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(CHANGELOG, p.partition())).toList();
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

    /** True once the view has read everything that was committed when it started. */
    boolean loaded() {
        return loaded;
    }

    /** Null while the view is current; otherwise why not, for {@code /health}. */
    String problem() {
        if (!loaded) {
            return problem;
        }
        long silent = System.nanoTime() - lastPollNanos;
        return silent > STALE_AFTER.toNanos() ? "has not read the log for " + TimeUnit.NANOSECONDS.toSeconds(silent) + " s: " + problem : null;
    }

    /**
     * Streams creates its changelog when it first runs, after this view starts; so on a fresh log the view creates
     * it, as Streams would: compacted, one partition per command partition.
     */
    private void ensureChangelog() {
        try {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(CHANGELOG)) {
                return;
            }
            int commandPartitions = admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.COMMANDS).partitions().size();
            admin.createTopics(List.of(new NewTopic(CHANGELOG, commandPartitions, kafka.replicationFactor())
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + CHANGELOG, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + CHANGELOG, e);
        }
    }

    /** Reads for as long as the processor runs; a failure is logged and reported, and reading starts over. */
    private void run() {
        Map<TopicPartition, Long> startEnds = null;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = newConsumer();
                }
                if (consumer.assignment().isEmpty() && !assign()) {
                    problem = "waiting for the partitions of " + CHANGELOG;
                    pause();
                    continue;
                }
                if (startEnds == null) {
                    startEnds = committedEnds();
                }
                poll();
                if (!loaded && reached(startEnds)) {
                    loaded = true;
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
                problem = null;
            } catch (WakeupException e) {
                break;
            } catch (RuntimeException e) {
                problem = e.toString();
                log.warn("reference index could not read {}; trying again: {}", CHANGELOG, e.toString());
                closeConsumer();
                pause();
            } catch (Exception e) {
                problem = e.toString();
                log.warn("reference index could not ask for the end of {}; trying again: {}", CHANGELOG, e.toString());
                pause();
            }
        }
        closeConsumer();
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            if (record.value() == null) {
                continue;
            }
            try {
                apply(ResourceRef.fromKey(record.key()), Envelopes.MAPPER.readTree(record.value()).path("data"));
            } catch (RuntimeException e) {
                // One unreadable record must not stop the view: every later decision would wait on it.
                log.warn("reference index skips the record at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.toString());
            }
        }
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
        lastPollNanos = System.nanoTime();
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                log.debug("closing the reference index consumer: {}", e.toString());
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void apply(ResourceRef resource, JsonNode data) {
        String key = resource.key();
        String status = data.path("status").asString();
        if (referredKinds.contains(resource.kind())) {
            statuses.put(key, status);
        }
        ResourceKind kind = ResourceKinds.byName(resource.kind()).orElse(null);
        if (kind == null) {
            return;
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
            Set<String> targets = status.equals("active") ? reference.targets(data) : Set.of();
            mine.put(slot, new HashSet<>(targets));
            for (String target : targets) {
                referrers.computeIfAbsent(new ResourceRef(reference.targetKind(), target).key(), k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(slot, s -> ConcurrentHashMap.newKeySet())
                        .add(resource.name());
            }
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
                if (!unavailable && !"active".equals(status)) {
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
        List<TopicPartition> known = partitions;
        if (known.isEmpty()) {
            return;
        }
        int index = Utils.toPositive(Utils.murmur2(resource.key().getBytes(StandardCharsets.UTF_8))) % known.size();
        TopicPartition partition = new TopicPartition(CHANGELOG, index);
        if (System.nanoTime() >= deadline) {
            return;
        }
        try {
            long written = end(partition, IsolationLevel.READ_UNCOMMITTED);
            long committed = end(partition, IsolationLevel.READ_COMMITTED);
            while (committed < written && System.nanoTime() < deadline) {
                synchronized (progress) {
                    progress.wait(5);
                }
                committed = end(partition, IsolationLevel.READ_COMMITTED);
            }
            synchronized (progress) {
                while (positions.getOrDefault(partition, 0L) < committed) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !running) {
                        return;
                    }
                    progress.wait(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("could not confirm that {} is missing or inactive: {}", resource.key(), e.toString());
        }
    }

    private long end(TopicPartition partition, IsolationLevel isolation) throws Exception {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(isolation)).all()
                .get(CATCH_UP_LIMIT.toMillis(), TimeUnit.MILLISECONDS).get(partition).offset();
    }

    /** True once the view has read everything committed before {@code moment} (waits up to the catch-up limit). */
    boolean catchUpTo(Instant moment) {
        synchronized (catchingUp) {
            if (!currentAsOf.isBefore(moment)) {
                return true;
            }
            Instant started = Instant.now();
            if (catchUp()) {
                currentAsOf = started;
                return true;
            }
            return false;
        }
    }

    private boolean catchUp() {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        try {
            synchronized (progress) {
                while (!loaded) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !running) {
                        return false;
                    }
                    progress.wait(left);
                }
            }
            Map<TopicPartition, Long> ends = committedEnds();
            synchronized (progress) {
                while (!reached(ends)) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !running) {
                        return false;
                    }
                    progress.wait(left);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.warn("could not catch the reference index up: {}", e.toString());
            return false;
        }
    }

    /** The committed end of every changelog partition, as the broker has it now. */
    private Map<TopicPartition, Long> committedEnds() throws Exception {
        List<TopicPartition> known = partitions;
        if (known.isEmpty()) {
            throw new IllegalStateException("the partitions of " + CHANGELOG + " are not known yet");
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

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
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
}
