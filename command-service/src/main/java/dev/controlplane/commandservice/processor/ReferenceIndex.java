package dev.controlplane.commandservice.processor;

import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.kinds.ResourceKind.Reference;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
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
     * How long a decision waits for the view. After a start the view first reads the whole changelog (about 4 s
     * for a million resources here), so the first decision that looks something up may wait that long; commands
     * that look nothing up are decided at once.
     */
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(30);
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
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private Admin admin;
    private List<TopicPartition> partitions = List.of();

    private static final String CHANGELOG = CommandProcessor.CHANGELOG;

    ReferenceIndex(KafkaSettings kafka) {
        this.kafka = kafka;
        this.referredKinds = ResourceKinds.ALL.stream().flatMap(k -> k.references().stream())
                .map(Reference::targetKind).collect(Collectors.toUnmodifiableSet());
    }

    void start() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        ensureChangelog();
        consumer = new KafkaConsumer<>(props);
        partitions = consumer.partitionsFor(CHANGELOG).stream().map(p -> new TopicPartition(CHANGELOG, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = Thread.ofPlatform().name("reference-index").daemon().start(this::run);
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

    private void run() {
        try {
            while (running) {
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
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("reference index stopped reading the event log", e);
        } finally {
            consumer.close();
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

            private void current() {
                if (!checked) {
                    checked = true;
                    unavailable = !catchUpTo(issuedAt.plus(CLOCK_SKEW));
                }
            }

            @Override
            public Optional<String> status(ResourceRef resource) {
                current();
                return Optional.ofNullable(statuses.get(resource.key()));
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
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(CATCH_UP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
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

    private boolean reached(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> positions.getOrDefault(end.getKey(), 0L) >= end.getValue());
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
