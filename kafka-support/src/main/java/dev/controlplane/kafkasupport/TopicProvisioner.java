package dev.controlplane.kafkasupport;

import dev.controlplane.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Creates the log's topics when they are missing, and brings the retention settings of existing ones back to
 * what the settings say; every service calls it at start, so start order is free.
 */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    public static void ensureTopics(KafkaSettings settings) {
        Map<String, Object> connection = new java.util.HashMap<>();
        KafkaClients.connection(settings).forEach((k, v) -> connection.put(String.valueOf(k), v));
        KafkaAdmin admin = new KafkaAdmin(connection);
        admin.setModifyTopicConfigs(true);
        admin.createOrModifyTopics(topics(settings).toArray(NewTopic[]::new));
    }

    static List<NewTopic> topics(KafkaSettings settings) {
        return List.of(
                topic(Topics.COMMANDS, settings)
                        .config("retention.ms", String.valueOf(settings.commandRetention().toMillis()))
                        .build(),
                topic(Topics.IDEMPOTENT_COMMANDS, settings)
                        .config("retention.ms", String.valueOf(settings.commandRetention().toMillis()))
                        .build(),
                topic(Topics.EVENTS, settings)
                        .config("retention.ms", "-1")
                        .config("retention.bytes", "-1")
                        .build(),
                topic(Topics.COMMAND_RESULTS, settings)
                        .config("retention.ms", String.valueOf(settings.resultRetention().toMillis()))
                        .build(),
                topic(Topics.SECURITY_EVENTS, settings)
                        .config("retention.ms", String.valueOf(settings.commandRetention().toMillis()))
                        .build());
    }

    /** An acknowledged command, event or result must survive a broker: every topic needs the same in-sync copies. */
    private static TopicBuilder topic(String name, KafkaSettings settings) {
        return TopicBuilder.name(name).partitions(settings.partitions()).replicas(settings.replicationFactor())
                .config("min.insync.replicas", String.valueOf(settings.minInsyncReplicas()));
    }
}
