package dev.controlplane.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baselines: raw Kafka request/reply on the same broker, without our code. Plain (no transactions) and
 * exactly-once (the responder commits one transaction per poll batch, {@code retry.backoff.ms=5}).
 */
final class KafkaRoundTrips {

    record Result(String name, double perSecond, long p50Micros, long p99Micros) {
    }

    private KafkaRoundTrips() {
    }

    /**
     * @param partitions   of every topic, as the system's own topics have
     * @param extraTopics  topics the responder also writes one record to per request, in the same transaction:
     *                     2 matches the processor, which writes an event and a changelog record besides each result,
     *                     and so touches three topics' partitions (and writes their markers) per transaction
     */
    static Result run(String bootstrap, int partitions, boolean exactlyOnce, int extraTopics, int inFlight, Duration warmup,
                      Duration measure) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String requests = "bench.requests." + suffix;
        String replies = "bench.replies." + suffix;
        List<String> extras = java.util.stream.IntStream.range(0, extraTopics).mapToObj(i -> "bench.extras" + i + "." + suffix).toList();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String topic : java.util.stream.Stream.concat(java.util.stream.Stream.of(requests, replies), extras.stream()).toList()) {
                topics.add(new NewTopic(topic, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
        awaitWritable(bootstrap, requests, partitions);
        awaitWritable(bootstrap, replies, partitions);
        for (String extra : extras) {
            awaitWritable(bootstrap, extra, partitions);
        }
        LoadWindow window = new LoadWindow();
        Thread responder = Thread.ofPlatform().name("bench-responder").start(() -> respond(bootstrap, requests, replies, extras, exactlyOnce, window));
        Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
        Thread replyReader = Thread.ofPlatform().name("bench-replies").start(() -> readReplies(bootstrap, replies, waiting, window));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(clientProducer(bootstrap))) {
            byte[] payload = new byte[500];
            LoadWindow.Measured measured = window.run(inFlight, () -> {
                while (window.running()) {
                    String id = UUID.randomUUID().toString();
                    CompletableFuture<Void> reply = new CompletableFuture<>();
                    waiting.put(id, reply);
                    long start = System.nanoTime();
                    producer.send(new ProducerRecord<>(requests, id, payload));
                    try {
                        reply.get(30, TimeUnit.SECONDS);
                        window.completed(start);
                    } catch (Exception e) {
                        waiting.remove(id);
                    }
                }
            }, warmup, measure);
            responder.join(10_000);
            replyReader.join(10_000);
            String name = (exactlyOnce ? "kafka request/reply, exactly-once (tx per poll batch)" : "kafka request/reply, plain")
                    + (extraTopics > 0 ? ", +" + extraTopics + " topics" : "");
            return new Result(name, measured.perSecond(), measured.p50Micros(), measured.p99Micros());
        }
    }

    /** A new topic's partitions are led by the broker a moment after creation; measure only once they accept writes. */
    private static void awaitWritable(String bootstrap, String topic, int partitions) throws Exception {
        try (KafkaProducer<String, byte[]> probe = new KafkaProducer<>(clientProducer(bootstrap))) {
            for (int partition = 0; partition < partitions; partition++) {
                probe.send(new ProducerRecord<>(topic, partition, "probe", new byte[0])).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void respond(String bootstrap, String requests, String replies, List<String> extras,
                                boolean exactlyOnce, LoadWindow window) {
        Properties consumerProps = consumer(bootstrap);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-responder-" + requests);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, String.valueOf(!exactlyOnce));
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Properties producerProps = clientProducer(bootstrap);
        if (exactlyOnce) {
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-responder-" + requests);
            producerProps.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "5");
        }
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps)) {
            consumer.subscribe(List.of(requests));
            if (exactlyOnce) {
                producer.initTransactions();
            }
            while (!window.finished()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(50));
                if (records.isEmpty()) {
                    continue;
                }
                if (exactlyOnce) {
                    producer.beginTransaction();
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    for (String extra : extras) {
                        producer.send(new ProducerRecord<>(extra, record.key(), record.value()));
                    }
                    producer.send(new ProducerRecord<>(replies, record.key(), record.value()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                if (exactlyOnce) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                }
            }
        }
    }

    private static void readReplies(String bootstrap, String replies, Map<String, CompletableFuture<Void>> waiting, LoadWindow window) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumer(bootstrap))) {
            List<TopicPartition> partitions = consumer.partitionsFor(replies).stream()
                    .map(p -> new TopicPartition(replies, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!window.finished()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    CompletableFuture<Void> reply = waiting.remove(record.key());
                    if (reply != null) {
                        reply.complete(null);
                    }
                }
            }
        }
    }

    private static Properties clientProducer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static Properties consumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }
}
