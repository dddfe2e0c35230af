package dev.controlplane.queryservice.system;

import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.ConsumerGroups;
import dev.controlplane.schemas.Product;
import dev.controlplane.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/features} (what this API offers, as GEM's feature detection) and {@code GET /api/v1/status}
 * (version, the Kafka brokers and topics in use, and every consumer of the log with its lag). Status asks Kafka
 * each time, so it shows the lag of projectors wherever they run; if Kafka does not answer, it says so.
 */
@RestController
class SystemController {

    /** Feature flags with the version of each capability, in GEM's form. */
    static final Map<String, String> FEATURES = new TreeMap<>(Map.ofEntries(
            Map.entry("editable_tenants", "v1"),
            Map.entry("editable_access_policies", "v1"),
            Map.entry("lbac", "v1"),
            Map.entry("tokens", "v1"),
            Map.entry("users_and_roles", "v1"),
            Map.entry("plugins", "v1"),
            Map.entry("merge_patch", "v1"),
            Map.entry("configuration", "v1"),
            Map.entry("api_keys", "v1"),
            Map.entry("licenses", "v1"),
            Map.entry("webhooks", "v1"),
            Map.entry("resource_history", "v1"),
            Map.entry("audit_query", "v1"),
            Map.entry("idempotency_keys", "v1")));

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaSettings kafka;

    SystemController(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    @GetMapping("/api/v1/features")
    ResponseEntity<byte[]> features() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", Product.NAME);
        body.put("version", Product.version());
        body.put("features", FEATURES);
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    @GetMapping("/api/v1/status")
    ResponseEntity<byte[]> status() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", Product.NAME);
        body.put("version", Product.version());
        body.put("time", Instant.now());
        try (Admin admin = KafkaClients.admin(kafka, Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()))) {
            body.put("kafka", kafka(admin));
            body.put("consumers", consumers(admin));
        } catch (Exception e) {
            Map<String, Object> unreachable = new LinkedHashMap<>();
            unreachable.put("bootstrap_servers", kafka.bootstrapServers());
            unreachable.put("reachable", false);
            unreachable.put("error", e.getClass().getSimpleName());
            body.put("kafka", unreachable);
        }
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    private Map<String, Object> kafka(Admin admin) throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("bootstrap_servers", kafka.bootstrapServers());
        view.put("reachable", true);
        view.put("cluster_id", cluster.clusterId().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        List<Map<String, Object>> brokers = new ArrayList<>();
        for (Node node : cluster.nodes().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            Map<String, Object> broker = new LinkedHashMap<>();
            broker.put("id", node.id());
            broker.put("host", node.host());
            broker.put("port", node.port());
            brokers.add(broker);
        }
        view.put("brokers", brokers);
        List<Map<String, Object>> topics = new ArrayList<>();
        Map<String, TopicDescription> described = admin.describeTopics(List.of(Topics.COMMANDS, Topics.EVENTS, Topics.COMMAND_RESULTS))
                .allTopicNames().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        for (TopicDescription description : new TreeMap<>(described).values()) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("name", description.name());
            topic.put("partitions", description.partitions().size());
            topic.put("replication_factor", description.partitions().getFirst().replicas().size());
            topics.add(topic);
        }
        view.put("topics", topics);
        return view;
    }

    /** Lag: for each group, records of its topic committed but not yet consumed (committed offsets vs. ends). */
    private List<Map<String, Object>> consumers(Admin admin) throws Exception {
        List<Map<String, Object>> consumers = new ArrayList<>();
        for (Map.Entry<String, String> group : new TreeMap<>(ConsumerGroups.TOPICS).entrySet()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.getKey())
                    .partitionsToOffsetAndMetadata().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int partitions = admin.describeTopics(List.of(group.getValue())).allTopicNames()
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(group.getValue()).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(group.getValue(), p), OffsetSpec.latest());
            }
            long lag = 0;
            var ends = admin.listOffsets(latest).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (var end : ends.entrySet()) {
                OffsetAndMetadata position = committed.get(end.getKey());
                lag += Math.max(0, end.getValue().offset() - (position == null ? 0 : position.offset()));
            }
            Map<String, Object> consumer = new LinkedHashMap<>();
            consumer.put("group", group.getKey());
            consumer.put("topic", group.getValue());
            consumer.put("committed", !committed.isEmpty());
            consumer.put("lag", lag);
            consumers.add(consumer);
        }
        return consumers;
    }
}
