package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.controlplane.commandservice.processor.CommandProcessor;
import dev.controlplane.commandservice.processor.ProcessorSettings;
import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** Partitions added to the command topic would move resources away from their state: the processor will not start. */
class PartitionDriftIT {

    @Test
    void aProcessorWhoseInputGainedPartitions_refusesToStart_sayingWhy() throws Exception {
        Path dir = TestSystem.newDataDir();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            KafkaSettings kafka = KafkaSettings.singleBroker(broker.bootstrapServers(), 2);
            ProcessorSettings settings = new ProcessorSettings(dir.resolve("processor").toString(), Duration.ofMillis(10), true,
                    Duration.ofMillis(5), 1, Duration.ofHours(24), DataSize.ofKilobytes(512), 0, null);
            CommandProcessor first = new CommandProcessor(kafka, settings);
            first.start();
            try {
                assertThat(first.awaitServing(Duration.ofSeconds(60))).isTrue();
            } finally {
                first.stop();
            }
            try (Admin admin = KafkaClients.admin(kafka, Map.of())) {
                // As `kafka-topics --alter` would: every topic of the log, but not the processor's state.
                admin.createPartitions(Map.of(Topics.COMMANDS, NewPartitions.increaseTo(3), Topics.IDEMPOTENT_COMMANDS,
                        NewPartitions.increaseTo(3), Topics.EVENTS, NewPartitions.increaseTo(3), Topics.COMMAND_RESULTS,
                        NewPartitions.increaseTo(3), Topics.SECURITY_EVENTS, NewPartitions.increaseTo(3))).all().get();
            }

            CommandProcessor configuredAsBefore = new CommandProcessor(kafka, settings);
            assertThatThrownBy(configuredAsBefore::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has 3 partitions but admin.kafka.partitions is 2")
                    .hasMessageContaining("Scaling partitions");

            CommandProcessor configuredAsTheTopic = new CommandProcessor(KafkaSettings.singleBroker(broker.bootstrapServers(), 3), settings);
            try {
                assertThatThrownBy(configuredAsTheTopic::start).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("has 3 partitions but the processor's state")
                        .hasMessageContaining("Scaling partitions");
            } finally {
                configuredAsTheTopic.stop();
            }
        }
    }
}
