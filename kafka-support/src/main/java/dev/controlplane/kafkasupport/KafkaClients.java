package dev.controlplane.kafkasupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Every Kafka client of every service is made here, so the settings that must agree do: the cluster and its
 * security ({@code admin.kafka.client.*}: TLS, SASL), acknowledgement by all in-sync replicas, committed reads,
 * and one group session timeout for the processor and every projector.
 */
public final class KafkaClients {

    /**
     * After a crash a group hands the dead member's partitions on only once its session expires: Kafka's default 45 s
     * would leave writes, reads, audit and webhooks that far behind.
     */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);
    /**
     * For a reader that catches up, scans, or has someone waiting on it: the broker holds a fetch that finds nothing
     * for up to fetch.max.wait.ms, and until it answers the consumer sends that broker no other fetch. A fetch
     * leaves out partitions that still have records buffered or are paused (Streams pauses a task's partition
     * while its buffer is full), so at Kafka's 500 ms a reader with some partitions drained and others not stalls
     * for up to that long each time. (Data arriving wakes a held fetch at once, so in steady state the wait costs
     * nothing but empty fetches: 0.3 cores of the idle standalone system at 10 ms, 0.12 at 500.)
     */
    public static final Map<String, Object> PROMPT_FETCH = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);

    private KafkaClients() {
    }

    /** Idempotent, acknowledged by every in-sync replica, sent at once (Kafka 4's 5 ms linger adds ~11 ms a round trip). */
    public static KafkaProducer<String, byte[]> producer(KafkaSettings kafka, Map<String, Object> overrides) {
        Map<String, Object> props = common(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Reads only committed records, commits nothing by itself, never creates a topic by reading it.
     *
     * @param groupId null for a consumer that assigns its partitions itself
     */
    public static KafkaConsumer<String, byte[]> consumer(KafkaSettings kafka, String groupId, Map<String, Object> overrides) {
        Map<String, Object> props = common(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) HEARTBEAT_INTERVAL.toMillis());
        }
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static Admin admin(KafkaSettings kafka, Map<String, Object> overrides) {
        Map<String, Object> props = common(kafka);
        props.putAll(overrides);
        return Admin.create(props);
    }

    /** The connection settings for a client built elsewhere (Kafka Streams, Spring's KafkaAdmin). */
    public static Properties connection(KafkaSettings kafka) {
        Properties props = new Properties();
        props.putAll(common(kafka));
        return props;
    }

    private static Map<String, Object> common(KafkaSettings kafka) {
        Map<String, Object> props = new HashMap<>(kafka.client());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return props;
    }
}
