package dev.controlplane.webhooks;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandIds;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Disables a subscription the way every change happens: a command on the log, decided by the single writer, so
 * the deactivation is an event (audited, delivered to subscribers of {@code webhook.deactivated}) like any other.
 */
final class SubscriptionCommands implements AutoCloseable {

    static final String ACTOR = "webhook-dispatcher";

    private final KafkaProducer<String, byte[]> producer;

    SubscriptionCommands(KafkaSettings kafka) {
        this.producer = KafkaClients.producer(kafka, Map.of());
    }

    /** Sends the command that deactivates {@code subscription}; the same reason at the same version is one command. */
    void disable(Subscription subscription, String reason) throws Exception {
        ResourceRef resource = new ResourceRef(ResourceKinds.WEBHOOK.name(), subscription.name());
        // One idempotency key per (subscription, version): two dispatchers disabling it at once make one command.
        String key = ACTOR + " disable " + resource.key() + "@" + subscription.version();
        CommandEnvelope command = new CommandEnvelope(CommandIds.next(), CommandTypes.of(resource.kind(), CommandTypes.UPDATE),
                CommandEnvelope.CURRENT_SCHEMA_VERSION, resource, ExpectedVersion.ANY, ACTOR,
                new RequestContext("webhook-disabled: " + reason, null, ACTOR), Instant.now(), "disable-" + subscription.version(),
                Envelopes.MAPPER.createObjectNode().put("status", "inactive"), null, key);
        producer.send(new ProducerRecord<>(command.topic(), command.partitionKey(), Envelopes.write(command))).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
