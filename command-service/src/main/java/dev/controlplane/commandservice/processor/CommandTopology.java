package dev.controlplane.commandservice.processor;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two steps, one generic pair for every resource kind:
 * <ol>
 *   <li>keyed commands ({@link Topics#IDEMPOTENT_COMMANDS}, by idempotency key) → claim the key for its first
 *   resource and request, or refuse it → {@link Topics#COMMANDS};</li>
 *   <li>commands (by resource) → decide against the resource's state → events and results; a keyed command's
 *   outcome is kept by its key, so every retry within the window gets the first answer however busy the resource.</li>
 * </ol>
 * Claims and outcomes live in window stores: they expire by time, not by how many commands a resource saw, and
 * what is stored per resource stays the size of its document.
 */
final class CommandTopology {

    static final String STORE = "resources";
    static final String OUTCOMES = "outcomes";
    static final String CLAIMS = "claims";
    private static final String KEYED_SOURCE = "keyed-commands";
    private static final String CLAIM = "claim";
    private static final String CLAIMED = "claimed";
    private static final String CLAIM_RESULTS = "claim-results";
    private static final String SOURCE = "commands";
    private static final String DECIDE = "decide";
    private static final String EVENTS = "events";
    private static final String RESULTS = "results";
    /** Set by the claim step on a retry it lets through: the first command with the key, whose outcome answers it. */
    static final String REPLAY_OF = "replay-of";

    private CommandTopology() {
    }

    static Topology build(ReferenceView references, MeterRegistry meters, ProcessorSettings settings) {
        Duration window = settings.idempotencyWindow();
        Topology topology = new Topology();
        topology.addSource(KEYED_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.IDEMPOTENT_COMMANDS);
        topology.addProcessor(CLAIM, () -> PollBacklog.tracking(new ClaimProcessor(settings.maxRecordBytes().toBytes(), meters),
                Topics.IDEMPOTENT_COMMANDS, settings.commitInterval()), KEYED_SOURCE);
        topology.addStateStore(windowStore(CLAIMS, window), CLAIM);
        topology.addSink(CLAIMED, Topics.COMMANDS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), CLAIM);
        topology.addSink(CLAIM_RESULTS, Topics.COMMAND_RESULTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), CLAIM);

        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.COMMANDS);
        topology.addProcessor(DECIDE, () -> PollBacklog.tracking(new DecideProcessor(references, meters, settings),
                Topics.COMMANDS, settings.commitInterval()), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), Serdes.ByteArray()), DECIDE);
        topology.addStateStore(windowStore(OUTCOMES, window), DECIDE);
        topology.addSink(EVENTS, Topics.EVENTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), DECIDE);
        topology.addSink(RESULTS, Topics.COMMAND_RESULTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), DECIDE);
        return topology;
    }

    private static org.apache.kafka.streams.state.StoreBuilder<WindowStore<String, byte[]>> windowStore(String name, Duration window) {
        // One entry per key, put once; the window size is irrelevant beyond being within the retention.
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, window, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.ByteArray());
    }

    /** The latest value kept for {@code key} within the retention, or null (a 503 outcome is followed by its retry's). */
    private static byte[] latest(WindowStore<String, byte[]> store, String key) {
        byte[] latest = null;
        try (WindowStoreIterator<byte[]> found = store.fetch(key, Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE / 2))) {
            while (found.hasNext()) {
                latest = found.next().value;
            }
        }
        return latest;
    }

    private static void answer(ProcessorContext<String, byte[]> context, String sink, CommandResult result, long timestamp) {
        context.forward(new Record<>(result.commandId().toString(), Envelopes.write(result), timestamp), sink);
    }

    /** Skips what has no id, answers what has one: a record the processor cannot handle never stops it. */
    private static CommandEnvelope readable(String key, byte[] value, Function<CommandEnvelope, String> expectedKey,
                                            ProcessorContext<String, byte[]> context, String resultSink, MeterRegistry meters,
                                            long timestamp, long maxRecordBytes) {
        if (value == null) {
            meters.counter("admin.commands.unreadable", "answered", "false").increment();
            return null;
        }
        CommandReader.Read read = CommandReader.read(key, value, expectedKey);
        if (read instanceof CommandReader.Readable r && value.length > maxRecordBytes) {
            read = new CommandReader.Refused(r.command().id(), r.command().type(), r.command().resource(),
                    Rejections.tooLarge(value.length, maxRecordBytes));
        }
        switch (read) {
            case CommandReader.Readable r -> {
                return r.command();
            }
            case CommandReader.Refused r -> {
                log.warn("refusing command {} at key {}: {}", r.id(), key, r.problem().detail());
                meters.counter("admin.commands.unreadable", "answered", "true").increment();
                answer(context, resultSink, CommandHandler.rejection(r.id(), r.type(), r.resource(), r.problem(), Instant.now()), timestamp);
                return null;
            }
            case CommandReader.Unreadable r -> {
                log.warn("skipping a command record at key {} that names no command: {}", key, r.reason());
                meters.counter("admin.commands.unreadable", "answered", "false").increment();
                return null;
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(CommandTopology.class);

    private static final class ClaimProcessor implements Processor<String, byte[], String, byte[]> {

        private final MeterRegistry meters;
        private final long maxRecordBytes;
        private ProcessorContext<String, byte[]> context;
        private WindowStore<String, byte[]> claims;

        ClaimProcessor(long maxRecordBytes, MeterRegistry meters) {
            this.meters = meters;
            this.maxRecordBytes = maxRecordBytes;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.claims = context.getStateStore(CLAIMS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            CommandEnvelope command = readable(record.key(), record.value(), CommandEnvelope::idempotencyKey,
                    context, CLAIM_RESULTS, meters, record.timestamp(), maxRecordBytes);
            if (command == null) {
                return;
            }
            Record<String, byte[]> claimed = new Record<>(command.resource().key(), record.value(), record.timestamp());
            try {
                byte[] existing = latest(claims, command.idempotencyKey());
                if (existing == null) {
                    claims.put(command.idempotencyKey(), Envelopes.write(Claim.of(command)), record.timestamp());
                } else {
                    Claim claim = Envelopes.MAPPER.readValue(existing, Claim.class);
                    Problem refusal = claim.refusal(command);
                    if (refusal != null) {
                        answer(context, CLAIM_RESULTS, CommandHandler.rejection(command.id(), command.type(), command.resource(),
                                refusal, Instant.now()), record.timestamp());
                        return;
                    }
                    claimed.headers().add(REPLAY_OF, claim.firstCommand().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                log.error("could not claim the idempotency key of command {}", command.id(), e);
                answer(context, CLAIM_RESULTS, CommandHandler.rejection(command.id(), command.type(), command.resource(),
                        Rejections.undecidable(), Instant.now()), record.timestamp());
                return;
            }
            context.forward(claimed, CLAIMED);
        }
    }

    private static final class DecideProcessor implements Processor<String, byte[], String, byte[]> {

        private final CommandHandler handler;
        private final MeterRegistry meters;
        private final long maxRecordBytes;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> store;
        private WindowStore<String, byte[]> outcomes;

        DecideProcessor(ReferenceView references, MeterRegistry meters, ProcessorSettings settings) {
            // Time-ordered ids: the stores index events by id, and ordered keys append to an index instead of scattering across it.
            this.handler = new CommandHandler(dev.controlplane.schemas.CommandIds::next, references, settings.eventVersions());
            this.meters = meters;
            this.maxRecordBytes = settings.maxRecordBytes().toBytes();
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            this.outcomes = context.getStateStore(OUTCOMES);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            CommandEnvelope command = readable(record.key(), record.value(), c -> c.resource().key(), context, RESULTS, meters,
                    record.timestamp(), maxRecordBytes);
            if (command == null) {
                return;
            }
            String key = command.resource().key();
            Instant now = Instant.now();
            Written written;
            try {
                written = written(handle(command, key, now, record.headers().lastHeader(REPLAY_OF) != null), command, now);
            } catch (RuntimeException e) {
                // A bug in deciding one command must not stop every write after it: answer, log, go on.
                log.error("could not decide command {} on {}", command.id(), key, e);
                written = new Written(null, List.of(), new CommandHandler.Handled(null, List.of(),
                        CommandHandler.rejection(command.id(), command.type(), command.resource(), Rejections.undecidable(), now), false));
            }
            if (written.state() != null) {
                store.put(key, written.state());
            }
            for (byte[] event : written.events()) {
                context.forward(new Record<>(key, event, record.timestamp()), EVENTS);
            }
            CommandResult result = written.handled().result();
            byte[] resultBytes = Envelopes.write(result);
            if (written.handled().remember()) {
                outcomes.put(command.idempotencyKey(), resultBytes, record.timestamp());
            }
            context.forward(new Record<>(command.id().toString(), resultBytes, record.timestamp()), RESULTS);
            meters.counter("admin.commands.decided", "kind", command.resource().kind(), "outcome",
                    result.accepted() ? "accepted" : "rejected", "status",
                    result.accepted() ? "200" : String.valueOf(result.problem().status())).increment();
        }

        /** @param replay the claim step let this command through as a retry of an earlier one */
        private CommandHandler.Handled handle(CommandEnvelope command, String key, Instant now, boolean replay) {
            CommandResult earlier = null;
            if (command.idempotencyKey() != null) {
                byte[] kept = latest(outcomes, command.idempotencyKey());
                earlier = kept == null ? null : Envelopes.readResult(kept);
                if (earlier == null && replay) {
                    // Its first outcome is gone (the window passed, or it was a 503 not kept): deciding it again could
                    // apply it twice, so it is refused. A retry of a 503 is the exception: nothing was decided.
                    return new CommandHandler.Handled(null, List.of(), CommandHandler.rejection(command.id(), command.type(),
                            command.resource(), Rejections.idempotencyOutcomeExpired(), now), false);
                }
            }
            byte[] current = store.get(key);
            StoredResource stored = current == null ? null : Envelopes.MAPPER.readValue(current, StoredResource.class);
            return handler.handle(command, stored, earlier, now);
        }

        /** What is written, serialized once; anything over the record limit is refused before it is produced. */
        private record Written(byte[] state, List<byte[]> events, CommandHandler.Handled handled) {
        }

        private Written written(CommandHandler.Handled handled, CommandEnvelope command, Instant now) {
            if (handled.next() == null) {
                return new Written(null, List.of(), handled);
            }
            byte[] state = Envelopes.MAPPER.writeValueAsBytes(handled.next());
            List<byte[]> events = new ArrayList<>(handled.events().size());
            long largest = state.length;
            for (EventEnvelope event : handled.events()) {
                byte[] bytes = Envelopes.write(event);
                events.add(bytes);
                largest = Math.max(largest, bytes.length);
            }
            if (largest > maxRecordBytes) {
                return new Written(null, List.of(), new CommandHandler.Handled(null, List.of(), CommandHandler.rejection(
                        command.id(), command.type(), command.resource(), Rejections.tooLarge(largest, maxRecordBytes), now),
                        command.idempotencyKey() != null));
            }
            return new Written(state, events, handled);
        }
    }
}
