package dev.controlplane.commandservice.gateway;

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
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Puts commands on the log and hands each caller its own result. Every instance reads all result partitions,
 * so any instance can answer for any command; a retried command id joins the first caller's wait.
 */
public final class CommandGateway implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommandGateway.class);

    private final KafkaSettings kafka;
    private final GatewaySettings settings;
    private final Map<UUID, CompletableFuture<CommandResult>> pending = new ConcurrentHashMap<>();
    private final RecentResults recent;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread listener;

    public CommandGateway(KafkaSettings kafka, GatewaySettings settings) {
        this.kafka = kafka;
        this.settings = settings;
        this.recent = new RecentResults(settings.resultMemory());
    }

    /**
     * Sends a command and returns the future of its result. A retry is always sent: only the processor can tell a
     * true retry (answered from its first decision) from a reused idempotency key (refused). The future is not
     * bounded here: callers wait as long as they choose and the result is remembered for later lookups.
     */
    public CompletableFuture<CommandResult> send(CommandEnvelope command) {
        CompletableFuture<CommandResult> created = new CompletableFuture<>();
        CompletableFuture<CommandResult> existing = pending.putIfAbsent(command.id(), created);
        if (existing != null) {
            return existing;
        }
        try {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, command.resource().key(), Envelopes.write(command)),
                    (metadata, error) -> {
                        if (error != null) {
                            fail(command, created, error);
                        }
                    });
        } catch (RuntimeException e) {
            // send() itself throws when the producer cannot even buffer the record (metadata or buffer timeouts).
            fail(command, created, e);
        }
        return created;
    }

    private void fail(CommandEnvelope command, CompletableFuture<CommandResult> future, Throwable error) {
        pending.remove(command.id(), future);
        future.completeExceptionally(error);
    }

    /** A result seen on the log, or empty if it is unknown, still pending, or older than this instance remembers. */
    public Optional<CommandResult> result(UUID commandId) {
        return Optional.ofNullable(recent.get(commandId));
    }

    public boolean isPending(UUID commandId) {
        return pending.containsKey(commandId);
    }

    @Override
    public synchronized void start() {
        TopicProvisioner.ensureTopics(kafka);
        producer = new KafkaProducer<>(producerProperties());
        consumer = new KafkaConsumer<>(consumerProperties());
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
                    CompletableFuture<CommandResult> waiting = pending.remove(result.commandId());
                    if (waiting != null) {
                        waiting.complete(result);
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() asked us to leave poll().
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Kafka 4's default linger of 5 ms adds ~11 ms to every round trip (shared/MEASURED.md).
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
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
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("shutting down")));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
