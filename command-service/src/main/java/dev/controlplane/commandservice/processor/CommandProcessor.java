package dev.controlplane.commandservice.processor;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.TopicProvisioner;
import dev.controlplane.schemas.ConsumerGroups;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import dev.controlplane.httpsupport.ViewHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Runs {@link CommandTopology} for as long as the application runs. */
public final class CommandProcessor implements SmartLifecycle, ViewHealth {

    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
    static final String APPLICATION_ID = ConsumerGroups.PROCESSOR;
    /** The compacted changelog Kafka Streams keeps for the processor's store: one record per resource. */
    public static final String CHANGELOG = APPLICATION_ID + "-" + CommandTopology.STORE + "-changelog";

    private final KafkaSettings kafka;
    private final ProcessorSettings settings;
    private volatile KafkaStreams streams;
    private volatile ReferenceIndex references;
    private volatile CompletableFuture<Void> serving = new CompletableFuture<>();

    private final MeterRegistry meters;

    public CommandProcessor(KafkaSettings kafka, ProcessorSettings settings) {
        this(kafka, settings, new SimpleMeterRegistry());
    }

    /** @param meters where {@code admin.commands.decided} (by kind and outcome) is counted */
    public CommandProcessor(KafkaSettings kafka, ProcessorSettings settings, MeterRegistry meters) {
        this.kafka = kafka;
        this.settings = settings;
        this.meters = meters;
    }

    Properties properties() {
        Properties props = KafkaClients.connection(kafka);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.threads());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
        if (settings.commitWhenDrained()) {
            // A command that arrives alone is committed at once; under load the interval commits.
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG), PollBacklog.class.getName());
        }
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.replicationFactor());
        props.put(StreamsConfig.topicPrefix("min.insync.replicas"), String.valueOf(kafka.minInsyncReplicas()));
        // A warm copy of each partition's state on another instance: a hand-over after a crash does not restore it.
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // A caller is waiting on every record: return from poll as soon as anything is there.
        props.put(StreamsConfig.POLL_MS_CONFIG, 10);
        // A commit right after another waits out this backoff (ProcessorSettings.retryBackoff).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), (int) settings.retryBackoff().toMillis());
        // Sent at once: the commit flushes them anyway, and a transaction's batching comes from what it holds.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // Likewise its retried offset and coordinator requests (after a rebalance, a transaction still settling).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG), (int) settings.retryBackoff().toMillis());
        KafkaClients.PROMPT_FETCH.forEach((name, value) -> props.put(StreamsConfig.consumerPrefix(name), value));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) KafkaClients.SESSION_TIMEOUT.toMillis());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), (int) KafkaClients.HEARTBEAT_INTERVAL.toMillis());
        return props;
    }

    /** Starts before and stops after the web server: requests in flight at a stop are still decided. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(kafka);
        PartitionCheck.requireMatchingPartitions(kafka, APPLICATION_ID);
        references = new ReferenceIndex(kafka);
        references.start();
        streams = new KafkaStreams(CommandTopology.build(references, meters, settings), properties());
        ownerOnly(java.nio.file.Path.of(settings.stateDir()));
        CompletableFuture<Void> running = new CompletableFuture<>();
        serving = running;
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.complete(null);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("command processor thread failed; replacing it", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    /** Kafka Streams creates its state directories readable by their group (750); they hold every resource. */
    private static void ownerOnly(java.nio.file.Path stateDir) {
        java.nio.file.Path appDir = stateDir.resolve(APPLICATION_ID);
        for (java.nio.file.Path dir : new java.nio.file.Path[] {stateDir, appDir}) {
            try {
                if (java.nio.file.Files.isDirectory(dir)) {
                    java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
            } catch (UnsupportedOperationException | java.io.IOException e) {
                log.warn("could not make {} readable by its owner only: {}", dir, e.toString());
            }
        }
    }

    /** Waits until the processor first owns its partitions and has restored their state; false on timeout. */
    public boolean awaitServing(Duration timeout) {
        try {
            serving.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the view of other resources has read everything committed so far; false on timeout. */
    public boolean awaitReferencesCurrent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Instant now = Instant.now();
        do {
            ReferenceIndex index = references;
            if (index != null && index.catchUpTo(now)) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Override
    public String name() {
        return "processor";
    }

    /** The processor is current when Streams runs (or rebalances) and its view of references is current. */
    @Override
    public String problem() {
        KafkaStreams running = streams;
        ReferenceIndex index = references;
        if (running == null || index == null) {
            return "not started";
        }
        KafkaStreams.State state = running.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return "kafka streams is " + state;
        }
        String view = index.problem();
        return view == null ? null : "reference view " + view;
    }

    /** Streams gave up (every thread failed, or it shut itself down): only a restart brings the processor back. */
    @Override
    public boolean dead() {
        KafkaStreams running = streams;
        if (running == null) {
            return false;
        }
        KafkaStreams.State state = running.state();
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN;
    }

    @Override
    public synchronized void stop() {
        if (streams != null) {
            // Leave the group: otherwise the next owner waits out the old member's session before it can serve.
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streams = null;
        }
        if (references != null) {
            references.close();
            references = null;
        }
    }

    @Override
    public boolean isRunning() {
        return streams != null;
    }
}
