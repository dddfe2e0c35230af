package dev.controlplane.kafkasupport;

import dev.controlplane.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the log's topics when they are missing; every service calls it at start, so start order is free. */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    public static void ensureTopics(KafkaSettings settings) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics(settings).stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics on " + settings.bootstrapServers(), e.getCause());
        }
    }

    static List<NewTopic> topics(KafkaSettings settings) {
        return List.of(
                topic(Topics.COMMANDS, settings, Map.of(
                        "retention.ms", String.valueOf(settings.commandRetention().toMillis()))),
                topic(Topics.EVENTS, settings, Map.of(
                        "retention.ms", "-1", "retention.bytes", "-1", "min.insync.replicas", minIsr(settings))),
                topic(Topics.COMMAND_RESULTS, settings, Map.of(
                        "retention.ms", String.valueOf(settings.resultRetention().toMillis()))));
    }

    private static NewTopic topic(String name, KafkaSettings settings, Map<String, String> configs) {
        return new NewTopic(name, settings.partitions(), settings.replicationFactor()).configs(configs);
    }

    private static String minIsr(KafkaSettings settings) {
        return String.valueOf(Math.max(1, settings.replicationFactor() - 1));
    }
}
