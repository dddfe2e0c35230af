package dev.controlplane.commandservice.gateway;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.TopicProvisioner;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Puts commands on the log and hands each caller its own result. Every instance reads all result partitions, so
 * any instance can answer for any recent command, and finds an older one on the log by its id ({@link ResultLookup}).
 */
public final class CommandGateway implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommandGateway.class);

    /** The command is on the log but this instance stops before its result arrives: the caller answers 202. */
    public static final class StillPending extends RuntimeException {
        StillPending() {
            super("the command is on the log; its result is not known yet", null, false, false);
        }
    }

    /**
     * The send failed. {@code maybeWritten} when the producer gave up after handing the record to the broker (a
     * timeout): it may still be on the log, so the caller must not be told nothing changed.
     */
    public static final class NotSent extends RuntimeException {
        private final boolean maybeWritten;

        NotSent(Throwable cause, boolean maybeWritten) {
            super(cause.toString(), cause, false, false);
            this.maybeWritten = maybeWritten;
        }

        public boolean maybeWritten() {
            return maybeWritten;
        }
    }

    private record Pending(CompletableFuture<CommandResult> future, java.util.concurrent.atomic.AtomicBoolean onLog) {
    }

    private final KafkaSettings kafka;
    private final GatewaySettings settings;
    private final Map<UUID, Pending> pending = new ConcurrentHashMap<>();
    private final RecentResults recent;
    private final ResultLookup lookup;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread listener;

    public CommandGateway(KafkaSettings kafka, GatewaySettings settings) {
        this.kafka = kafka;
        this.settings = settings;
        this.recent = new RecentResults(settings.resultMemory());
        this.lookup = new ResultLookup(kafka);
    }

    /** Starts before and stops after the web server, so requests in flight at a stop still get their results. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /**
     * Sends a command and returns the future of its result. The future is not bounded here: callers wait as long as
     * they choose, and the result is remembered for later lookups. It fails with {@link NotSent} or, when this
     * instance stops first, {@link StillPending}.
     */
    public CompletableFuture<CommandResult> send(CommandEnvelope command) {
        Pending created = new Pending(new CompletableFuture<>(), new java.util.concurrent.atomic.AtomicBoolean());
        pending.put(command.id(), created);
        try {
            producer.send(new ProducerRecord<>(command.topic(), command.partitionKey(), Envelopes.write(command)),
                    (metadata, error) -> {
                        if (error != null) {
                            fail(command, created, new NotSent(error, true));
                        } else {
                            created.onLog().set(true);
                        }
                    });
        } catch (RuntimeException e) {
            // send() itself throws when the producer cannot even buffer the record (metadata or buffer timeouts).
            fail(command, created, new NotSent(e, false));
        }
        return created.future();
    }

    private void fail(CommandEnvelope command, Pending sent, RuntimeException error) {
        pending.remove(command.id(), sent);
        sent.future().completeExceptionally(error);
    }

    /**
     * What is known of a command: its result, or that it is on the log undecided; empty if the log has neither
     * (unknown, or older than the topics keep).
     */
    public Optional<ResultLookup.Found> status(UUID commandId) {
        CommandResult known = recent.get(commandId);
        if (known != null) {
            return Optional.of(new ResultLookup.Decided(known));
        }
        Pending own = pending.get(commandId);
        if (own != null && own.onLog().get()) {
            return Optional.of(new ResultLookup.Pending());
        }
        Optional<ResultLookup.Found> found = lookup.find(commandId);
        found.ifPresent(f -> {
            if (f instanceof ResultLookup.Decided d) {
                recent.put(d.result());
            }
        });
        return found;
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(kafka);
        producer = KafkaClients.producer(kafka, Map.of());
        consumer = KafkaClients.consumer(kafka, null, KafkaClients.PROMPT_FETCH);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.COMMAND_RESULTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        seekToLookback(partitions);
        running = true;
        listener = Thread.ofPlatform().name("command-results").start(this::listen);
    }

    private void seekToLookback(List<TopicPartition> partitions) {
        long since = Instant.now().minus(settings.lookback()).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = offsets.get(partition);
            consumer.seek(partition, offset != null ? offset.offset() : ends.get(partition));
        }
    }

    private void listen() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    CommandResult result;
                    try {
                        result = Envelopes.readResult(record.value());
                    } catch (RuntimeException e) {
                        log.warn("skipping unreadable command result at offset {}: {}", record.offset(), e.toString());
                        continue;
                    }
                    recent.put(result);
                    Pending waiting = pending.remove(result.commandId());
                    if (waiting != null) {
                        waiting.future().complete(result);
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() asked us to leave poll().
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (listener != null) {
            try {
                listener.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        // After the producer's close every send has either reached the log or failed.
        pending.values().forEach(p -> p.future().completeExceptionally(p.onLog().get() ? new StillPending()
                : new NotSent(new IllegalStateException("shutting down"), true)));
        pending.clear();
        lookup.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
