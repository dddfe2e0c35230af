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
        List<NewTopic> topics = topics(settings);
        refuseRepartitioning(admin, topics, settings);
        admin.createOrModifyTopics(topics.toArray(NewTopic[]::new));
    }

    /**
     * KafkaAdmin would add partitions to an existing topic whose configured count grew; for this log that moves
     * resources away from their state and events out of order, so a count that differs from the topic's is refused.
     */
    private static void refuseRepartitioning(KafkaAdmin admin, List<NewTopic> topics, KafkaSettings settings) {
        Map<String, org.apache.kafka.clients.admin.TopicDescription> existing;
        try {
            existing = admin.describeTopics(topics.stream().map(NewTopic::name).toArray(String[]::new));
        } catch (RuntimeException e) {
            // Some topic does not exist yet (a fresh log): describe the ones that do, one by one.
            existing = new java.util.HashMap<>();
            for (NewTopic topic : topics) {
                try {
                    existing.putAll(admin.describeTopics(topic.name()));
                } catch (RuntimeException missing) {
                    // created below
                }
            }
        }
        for (var topic : existing.values()) {
            int copies = topic.partitions().getFirst().replicas().size();
            if (copies < settings.minInsyncReplicas()) {
                throw new IllegalStateException(topic.name() + " has " + copies + " replicas, fewer than admin.kafka.min-insync-replicas ("
                        + settings.minInsyncReplicas() + "): every acknowledged write would fail. Reassign its replicas first,"
                        + " or set admin.kafka.min-insync-replicas to at most " + copies);
            }
            if (topic.partitions().size() != settings.partitions()) {
                throw new IllegalStateException(topic.name() + " has " + topic.partitions().size()
                        + " partitions but admin.kafka.partitions is " + settings.partitions() + ": partitions of this log are"
                        + " never changed in place (README, \"Scaling partitions\")");
            }
        }
    }

    static List<NewTopic> topics(KafkaSettings settings) {
        return List.of(
                // The broker's clock, not the sender's: the processor's idempotency window expires by these
                // timestamps, and one sender with a fast clock must not expire every key of a partition.
                topic(Topics.COMMANDS, settings)
                        .config("retention.ms", String.valueOf(settings.commandRetention().toMillis()))
                        .config("message.timestamp.type", "LogAppendTime")
                        .build(),
                topic(Topics.IDEMPOTENT_COMMANDS, settings)
                        .config("retention.ms", String.valueOf(settings.commandRetention().toMillis()))
                        .config("message.timestamp.type", "LogAppendTime")
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
