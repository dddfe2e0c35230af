package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.kafkasupport.LogFollower;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The reader every view of the log that decisions and authorizations rely on is built on (the processor's
 * reference view, the caller directory): it waits for a topic's partitions instead of giving up (what made a fresh
 * clone's run fail), reports itself until it is current, skips a record it cannot apply instead of dying, and
 * catches up to a moment before a caller relies on it.
 */
class LogFollowerIT {

    private final Standalone system = TestSystem.shared();

    @Test
    void aFollowerWaitsForItsTopic_reportsUntilCurrent_skipsWhatItCannotApply_andCatchesUp() throws Exception {
        String topic = "follower-" + UUID.randomUUID();
        AtomicBoolean topicWanted = new AtomicBoolean(false);
        Set<String> applied = ConcurrentHashMap.newKeySet();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, system.bootstrapServers()));
             LogFollower follower = new LogFollower("test-follower", dev.controlplane.kafkasupport.KafkaSettings.singleBroker(system.bootstrapServers(), 6), topic, () -> {
                 if (topicWanted.get()) {
                     createIfMissing(admin, topic);
                 }
             }, record -> {
                 if (record.value() != null && new String(record.value(), StandardCharsets.UTF_8).equals("poison")) {
                     throw new IllegalArgumentException("cannot apply this one");
                 }
                 applied.add(record.key());
             })) {
            follower.start();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(follower.problem()).isNotNull());
            assertThat(follower.loaded()).isFalse();
            assertThat(follower.catchUpTo(Instant.now(), Duration.ofMillis(200))).as("not current: no answer from it").isFalse();

            topicWanted.set(true);
            await().atMost(Duration.ofSeconds(30)).until(follower::loaded);
            assertThat(follower.problem()).isNull();

            try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>(topic, "first", "ok")).get(10, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(topic, "bad", "poison")).get(10, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(topic, "after", "ok")).get(10, TimeUnit.SECONDS);
            }
            assertThat(follower.catchUpTo(Instant.now(), Duration.ofSeconds(5))).isTrue();
            assertThat(applied).containsExactlyInAnyOrder("first", "after");
            assertThat(follower.problem()).isNull();
        }
    }

    private static void createIfMissing(Admin admin, String topic) {
        try {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
