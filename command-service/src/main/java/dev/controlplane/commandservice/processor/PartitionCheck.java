package dev.controlplane.commandservice.processor;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * A resource's state lives in the partition of its key. If the command topic gains partitions, resources hash to
 * partitions whose state is elsewhere, and a writer would decide against a state it does not have (version 1 again,
 * a name taken twice). So the processor refuses to start while its inputs and its state disagree.
 */
final class PartitionCheck {

    /** Each input topic and the state stores fed by it. */
    private static final Map<String, List<String>> STATE_OF = Map.of(
            Topics.COMMANDS, List.of(CommandTopology.STORE, CommandTopology.OUTCOMES),
            Topics.IDEMPOTENT_COMMANDS, List.of(CommandTopology.CLAIMS));

    private PartitionCheck() {
    }

    static void requireMatchingPartitions(KafkaSettings kafka, String applicationId) {
        try (Admin admin = KafkaClients.admin(kafka, Map.of())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (var input : STATE_OF.entrySet()) {
                List<String> changelogs = input.getValue().stream().map(store -> applicationId + "-" + store + "-changelog")
                        .filter(existing::contains).toList();
                if (changelogs.isEmpty()) {
                    continue;
                }
                List<String> topics = new java.util.ArrayList<>(changelogs);
                topics.add(input.getKey());
                Map<String, Integer> counts = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                        .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
                int inputCount = counts.get(input.getKey());
                for (String changelog : changelogs) {
                    if (counts.get(changelog) != inputCount) {
                        throw new IllegalStateException(input.getKey() + " has " + inputCount + " partitions but the processor's state ("
                                + changelog + ") has " + counts.get(changelog) + ": each resource's state lives in the partition"
                                + " of its key, so the processor will not decide against state it does not hold. Partitions are"
                                + " scaled by replaying into a new log (README, \"Scaling partitions\"), never by adding them in place.");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking partitions", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not check the partitions of the processor's topics", e);
        }
    }
}
