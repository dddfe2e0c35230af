package dev.controlplane.kafkasupport;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the log lives and how its topics are shaped.
 *
 * @param partitions         partitions of every topic of the log. Fixed once the processor has state: see the README
 *                           on scaling partitions
 * @param replicationFactor  copies of every topic (and of the processor's internal topics); 3 by default, for a cluster
 *                           of three or more brokers. Standalone's single embedded broker uses 1
 * @param minInsyncReplicas  how many copies must have a write before it is acknowledged; 2 by default, so an
 *                           acknowledged write survives losing any one broker
 * @param commandRetention   commands are requests: kept long enough to debug, not for ever
 * @param resultRetention    results only need to outlive the slowest caller and {@code /commands/{id}} lookups
 * @param client             further settings for every Kafka client (TLS, SASL: {@code security.protocol}, …)
 */
@ConfigurationProperties("admin.kafka")
public record KafkaSettings(
        @DefaultValue("localhost:9092") String bootstrapServers,
        @DefaultValue("6") int partitions,
        @DefaultValue("3") short replicationFactor,
        @DefaultValue("2") short minInsyncReplicas,
        @DefaultValue("7d") Duration commandRetention,
        @DefaultValue("6h") Duration resultRetention,
        @DefaultValue Map<String, String> client) {

    public KafkaSettings {
        client = client == null ? Map.of() : Map.copyOf(client);
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("admin.kafka.min-insync-replicas (" + minInsyncReplicas
                    + ") cannot exceed admin.kafka.replication-factor (" + replicationFactor + ")");
        }
    }

    /** A single-broker log (tests, benchmarks): one copy of everything. */
    public static KafkaSettings singleBroker(String bootstrapServers, int partitions) {
        return new KafkaSettings(bootstrapServers, partitions, (short) 1, (short) 1, Duration.ofDays(7), Duration.ofHours(6), Map.of());
    }
}
