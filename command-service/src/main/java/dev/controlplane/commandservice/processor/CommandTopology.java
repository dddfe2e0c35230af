package dev.controlplane.commandservice.processor;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** commands → (state store) → events and results. One generic processor serves every resource kind. */
final class CommandTopology {

    static final String STORE = "resources";
    private static final String SOURCE = "commands";
    private static final String DECIDE = "decide";
    private static final String EVENTS = "events";
    private static final String RESULTS = "results";

    private CommandTopology() {
    }

    static Topology build(ReferenceView references, MeterRegistry meters) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.COMMANDS);
        topology.addProcessor(DECIDE, () -> new DecideProcessor(references, meters), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), Serdes.ByteArray()), DECIDE);
        topology.addSink(EVENTS, Topics.EVENTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), DECIDE);
        topology.addSink(RESULTS, Topics.COMMAND_RESULTS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), DECIDE);
        return topology;
    }

    private static final class DecideProcessor implements Processor<String, byte[], String, byte[]> {

        private static final Logger log = LoggerFactory.getLogger(DecideProcessor.class);

        private final CommandHandler handler;
        private final MeterRegistry meters;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> store;

        DecideProcessor(ReferenceView references, MeterRegistry meters) {
            this.handler = new CommandHandler(UUID::randomUUID, references);
            this.meters = meters;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            CommandEnvelope command;
            try {
                command = Envelopes.readCommand(record.value());
            } catch (RuntimeException e) {
                // Without an id there is nobody to answer; the record stays in the command log for inspection.
                log.warn("skipping unreadable command at key {}: {}", record.key(), e.toString());
                return;
            }
            String key = command.resource().key();
            if (!key.equals(record.key())) {
                log.warn("skipping command {} keyed {} for resource {}", command.id(), record.key(), key);
                return;
            }
            byte[] current = store.get(key);
            StoredResource stored = current == null ? null : Envelopes.MAPPER.readValue(current, StoredResource.class);
            CommandHandler.Handled handled = handler.handle(command, stored, Instant.now());
            if (handled.next() != null) {
                store.put(key, Envelopes.MAPPER.writeValueAsBytes(handled.next()));
            }
            for (var event : handled.events()) {
                context.forward(new Record<>(key, Envelopes.write(event), record.timestamp()), EVENTS);
            }
            context.forward(new Record<>(command.id().toString(), Envelopes.write(handled.result()), record.timestamp()), RESULTS);
            meters.counter("admin.commands.decided", "kind", command.resource().kind(), "outcome",
                    handled.result().accepted() ? "accepted" : "rejected", "status",
                    handled.result().accepted() ? "200" : String.valueOf(handled.result().problem().status())).increment();
        }
    }
}
