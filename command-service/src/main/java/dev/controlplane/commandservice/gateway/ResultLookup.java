package dev.controlplane.commandservice.gateway;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogScan;
import dev.controlplane.schemas.CommandIds;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Finds a command's result, or the command itself, on the log by its id alone, for as long as the topics keep them:
 * an id is a UUIDv7, so it says when it was issued, and a result is keyed by the id, so it says which partition. One
 * seek and a short read answer a lookup any instance is asked, whoever sent the command and however long ago.
 */
public final class ResultLookup implements AutoCloseable {

    /** How far a record's timestamp may trail or lead the time in its id (the clocks of two machines). */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    private static final int MAX_SCANNED = 200_000;
    private static final Duration BUDGET = Duration.ofSeconds(3);

    /** What the log knows of a command. */
    public sealed interface Found {
    }

    public record Decided(CommandResult result) implements Found {
    }

    /** On a command topic, not decided yet. */
    public record Pending() implements Found {
    }

    /** The lookup ran out of its budget (a long backlog, or lookups queued behind each other): ask again. */
    public record Undetermined() implements Found {
    }

    private boolean exhausted;

    private final KafkaSettings kafka;
    private final ReentrantLock lock = new ReentrantLock();
    private KafkaConsumer<String, byte[]> consumer;

    ResultLookup(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    Optional<Found> find(UUID commandId) {
        Optional<Instant> issued = CommandIds.issuedAt(commandId);
        if (issued.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (!lock.tryLock(BUDGET.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return Optional.of(new Undetermined());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new Undetermined());
        }
        try {
            exhausted = false;
            if (consumer == null) {
                consumer = KafkaClients.consumer(kafka, null, KafkaClients.PROMPT_FETCH);
            }
            String key = commandId.toString();
            int partitions = consumer.partitionsFor(Topics.COMMAND_RESULTS).size();
            // The partition a result keyed by this id went to (the producer's default partitioner, as Streams uses it).
            int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
            Optional<ConsumerRecord<String, byte[]>> result = scan(List.of(new TopicPartition(Topics.COMMAND_RESULTS, partition)),
                    issued.get().minus(CLOCK_SKEW), null, record -> key.equals(record.key()));
            if (result.isPresent()) {
                return Optional.of(new Decided(Envelopes.readResult(result.get().value())));
            }
            if (exhausted) {
                return Optional.of(new Undetermined());
            }
            // Not decided: is it on its way? A command is on its topic within the skew of the time in its id.
            List<TopicPartition> commandPartitions = new java.util.ArrayList<>();
            for (String topic : List.of(Topics.COMMANDS, Topics.IDEMPOTENT_COMMANDS)) {
                consumer.partitionsFor(topic).forEach(p -> commandPartitions.add(new TopicPartition(topic, p.partition())));
            }
            String idField = "\"id\":\"" + key + "\"";
            Optional<ConsumerRecord<String, byte[]>> command = scan(commandPartitions, issued.get().minus(CLOCK_SKEW),
                    issued.get().plus(CLOCK_SKEW), record -> new String(record.value(), StandardCharsets.UTF_8).contains(idField));
            return command.isPresent() ? Optional.of(new Pending()) : exhausted ? Optional.of(new Undetermined()) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Reads from {@code from} to the end (or past {@code until}) for a record that {@code matches}. */
    private Optional<ConsumerRecord<String, byte[]>> scan(List<TopicPartition> partitions, Instant from, Instant until,
                                                        java.util.function.Predicate<ConsumerRecord<String, byte[]>> matches) {
        LogScan.Result result = LogScan.scan(consumer, partitions, from, until, BUDGET, MAX_SCANNED, matches);
        exhausted = !result.complete();
        return result.stoppedAt();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(2));
                consumer = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
