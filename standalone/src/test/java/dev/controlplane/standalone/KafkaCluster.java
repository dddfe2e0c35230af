package dev.controlplane.standalone;

import static org.awaitility.Awaitility.await;

import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/** Three KRaft nodes (each controller and broker) as processes of their own on loopback. */
final class KafkaCluster implements AutoCloseable {

    static final int SIZE = 3;

    private final List<ServiceProcess> nodes = new ArrayList<>();
    private final List<Integer> brokerPorts = new ArrayList<>();

    KafkaCluster(Path dir) {
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            brokerPorts.add(EmbeddedKafkaBroker.freePort());
            controllerPorts.add(EmbeddedKafkaBroker.freePort());
        }
        String voters = IntStream.range(0, SIZE).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < SIZE; i++) {
            nodes.add(ServiceProcess.main("kafka-" + (i + 1), EmbeddedKafkaBroker.class.getName(), List.of(
                    dir.resolve("kafka-" + (i + 1)).toString(), String.valueOf(i + 1), voters, String.valueOf(brokerPorts.get(i)),
                    String.valueOf(controllerPorts.get(i)), String.valueOf(SIZE), clusterId), dir));
        }
    }

    KafkaCluster start() {
        nodes.forEach(ServiceProcess::start);
        await("three brokers").atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .until(() -> brokers(bootstrapServers()) == SIZE);
        return this;
    }

    String bootstrapServers() {
        return brokerPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    ServiceProcess node(int id) {
        return nodes.get(id - 1);
    }

    private static int brokers(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    /** The node that leads the most partitions of the log's topics now. */
    int busiestLeader() throws Exception {
        Map<Integer, Integer> led = new HashMap<>();
        for (TopicDescription topic : describe()) {
            topic.partitions().forEach(p -> {
                if (p.leader() != null) {
                    led.merge(p.leader().id(), 1, Integer::sum);
                }
            });
        }
        return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** Waits until every partition of every topic has all its replicas in sync again (after a node came back). */
    void awaitFullyReplicated(Duration timeout) {
        await("all replicas in sync").atMost(timeout).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
                describe().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.isr().size() == p.replicas().size())));
    }

    private List<TopicDescription> describe() throws Exception {
        try (Admin admin = admin(bootstrapServers())) {
            Set<String> names = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            return List.copyOf(admin.describeTopics(names).allTopicNames().get(15, TimeUnit.SECONDS).values());
        }
    }

    /** How many members the consumer group {@code group} has now. */
    int members(String group) throws Exception {
        try (Admin admin = admin(bootstrapServers())) {
            return admin.describeConsumerGroups(List.of(group)).all().get(15, TimeUnit.SECONDS).get(group).members().size();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess node : nodes) {
            node.close();
        }
    }
}
