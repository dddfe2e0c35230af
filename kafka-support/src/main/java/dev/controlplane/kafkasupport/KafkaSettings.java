package dev.controlplane.kafkasupport;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the log lives and how its topics are shaped.
 *
 * @param partitions        partitions of the command and event topics; results use the same count
 * @param replicationFactor 1 on the embedded broker, 3 on a cluster
 * @param commandRetention  commands are requests: kept long enough to debug, not for ever
 * @param resultRetention   results only need to outlive the slowest caller and {@code /commands/{id}} lookups
 */
@ConfigurationProperties("admin.kafka")
public record KafkaSettings(
        @DefaultValue("localhost:9092") String bootstrapServers,
        @DefaultValue("6") int partitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("7d") Duration commandRetention,
        @DefaultValue("6h") Duration resultRetention) {
}
