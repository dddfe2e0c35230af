package dev.controlplane.benchmarks;

import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.commandservice.gateway.GatewaySettings;
import dev.controlplane.commandservice.processor.CommandProcessor;
import dev.controlplane.commandservice.processor.ProcessorSettings;
import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.TopicProvisioner;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./dev bench restore [resources=1000000]}: how long a new owner of every partition takes to rebuild the
 * processor's state from the changelog, against a raw read of the same changelog in the same run; then how long a
 * restart on the existing local state takes; then one write to prove the state is right.
 */
final class RestoreBenchmark {

    private static final String CHANGELOG = CommandProcessor.CHANGELOG;

    private RestoreBenchmark() {
    }

    static void run(int resources) throws Exception {
        Path dir = ScratchDir.create("admin-restore-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            KafkaSettings kafka = KafkaSettings.singleBroker(broker.bootstrapServers(), 6);
            TopicProvisioner.ensureTopics(kafka);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(CHANGELOG, 6, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                        .all().get();
            }
            long bytes = fillChangelog(broker.bootstrapServers(), resources);
            System.out.printf("%nRestore benchmark: %,d resources, %,d MiB of state in %s%n", resources, bytes >> 20, CHANGELOG);

            long raw = timeRawRead(broker.bootstrapServers());
            System.out.printf("  raw read of the changelog (baseline):       %6.1f s%n", raw / 1e9);

            ProcessorSettings settings = new ProcessorSettings(dir.resolve("processor").toString(), Duration.ofMillis(10), true,
                    Duration.ofMillis(5), 1, Duration.ofHours(24), org.springframework.util.unit.DataSize.ofKilobytes(512), 0, null);
            CommandProcessor newOwner = new CommandProcessor(kafka, settings);
            long self = ProcessHandle.current().pid();
            Map<String, Long> threadsBefore = ProcCpu.threadTicks(self);
            long restore = timeToServe(newOwner);
            Map<String, Double> cpuByThread = ProcCpu.perUnit(threadsBefore, ProcCpu.threadTicks(self), 1);
            long referencesReady = timeToReferences(newOwner, restore);
            newOwner.stop();
            System.out.printf("  new owner, empty state directory, serving:  %6.1f s   (%.2f x the raw read)%n",
                    restore / 1e9, (double) restore / raw);
            System.out.printf("  ... and its view of references complete:    %6.1f s   (commands that look up other resources wait for it)%n",
                    referencesReady / 1e9);
            System.out.printf("  CPU s until serving, by thread (broker included): %s%n", cpuByThread.entrySet().stream().limit(8)
                    .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / 1000)).collect(java.util.stream.Collectors.joining(", ")));

            CommandProcessor restarted = new CommandProcessor(kafka, settings);
            long restart = timeToServe(restarted);
            long restartReferences = timeToReferences(restarted, restart);
            System.out.printf("  restart on its own state directory:          %6.1f s%n", restart / 1e9);
            System.out.printf("  ... and its view of references complete:    %6.1f s%n", restartReferences / 1e9);
            try {
                System.out.println("  a write on restored state: " + proveState(kafka, resources));
            } finally {
                restarted.stop();
            }
        }
    }

    /** One StoredResource per resource, as the processor writes it after a create: ~0.2 KB each. */
    private static long fillChangelog(String bootstrap, int resources) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < resources; i++) {
                String name = "tenant-" + i;
                String data = "{\"name\":\"" + name + "\",\"display_name\":\"Tenant number " + i + "\",\"cluster\":\"main\","
                        + "\"status\":\"active\",\"created_at\":\"2026-11-22T00:00:00Z\"}";
                byte[] value = ("{\"sequence\":1,\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8);
                bytes += value.length;
                producer.send(new ProducerRecord<>(CHANGELOG, "tenant/" + name, value));
            }
            producer.flush();
        }
        return bytes;
    }

    private static long timeRawRead(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(CHANGELOG).stream()
                    .map(p -> new TopicPartition(CHANGELOG, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long records = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                records += consumer.poll(Duration.ofMillis(100)).count();
            }
            if (records == 0) {
                throw new IllegalStateException("nothing read");
            }
        }
        return System.nanoTime() - start;
    }

    /** Nanoseconds from the processor's start until its reference view has read the whole changelog. */
    private static long timeToReferences(CommandProcessor processor, long sinceStart) {
        long start = System.nanoTime() - sinceStart;
        if (!processor.awaitReferencesCurrent(Duration.ofMinutes(5))) {
            throw new IllegalStateException("the reference view did not catch up");
        }
        return System.nanoTime() - start;
    }

    private static long timeToServe(CommandProcessor processor) {
        long start = System.nanoTime();
        processor.start();
        if (!processor.awaitServing(Duration.ofMinutes(15))) {
            throw new IllegalStateException("the processor did not serve within 15 minutes");
        }
        return System.nanoTime() - start;
    }

    private static String proveState(KafkaSettings kafka, int resources) throws Exception {
        CommandGateway gateway = new CommandGateway(kafka, new GatewaySettings(Duration.ofSeconds(5), 1000, Duration.ofMinutes(1)));
        gateway.start();
        try {
            String name = "tenant-" + (resources - 1);
            CommandEnvelope update = new CommandEnvelope(UUID.randomUUID(), "tenant.update", 1, new ResourceRef("tenant", name),
                    ExpectedVersion.exactly(1), "bench", new RequestContext("r", "127.0.0.1", "bench"), Instant.now(), "h",
                    Envelopes.MAPPER.createObjectNode().put("display_name", "restored"), null);
            CommandResult result = gateway.send(update).get(60, TimeUnit.SECONDS);
            return name + " If-Match 1 -> " + result.outcome() + (result.accepted() ? ", version " + result.version() : " " + result.problem());
        } finally {
            gateway.stop();
        }
    }
}
