package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.CommandIds;
import dev.controlplane.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No command stops the writes after it: records that cannot be read or decided are answered (or skipped when they
 * name no command), and what the processor stores per resource does not grow with its history, so large documents
 * updated many times keep fitting Kafka's record limit. On a system of its own: it fills the API key document.
 */
class PoisonCommandsIT {

    private static Standalone system;
    private static Api api;

    @BeforeAll
    static void start() {
        system = TestSystem.withMainCluster(TestSystem.start(TestSystem.newDataDir()));
        api = Api.of(system);
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    private static void produce(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                system.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static void produce(String topic, String key, String json) throws Exception {
        produce(topic, key, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitRejected(UUID id, int status) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Api.Response outcome = api.get("/api/v1/commands/" + id);
            assertThat(outcome.status()).as(outcome.body()).isEqualTo(200);
            assertThat(outcome.json().path("status").asString()).isEqualTo("rejected");
            assertThat(outcome.json().path("problem").path("status").asInt()).isEqualTo(status);
        });
    }

    @Test
    void malformedCommands_areAnsweredOrSkipped_andWritesContinue() throws Exception {
        UUID noResource = CommandIds.next();
        UUID newer = CommandIds.next();
        UUID wrongKey = CommandIds.next();
        UUID badKeyed = CommandIds.next();
        produce(Topics.COMMANDS, "tenant/x", new byte[] {(byte) 0xff, 0, 1, 2});
        produce(Topics.COMMANDS, "tenant/x", "{}");
        produce(Topics.COMMANDS, "tenant/x", "{\"id\":\"" + noResource + "\",\"type\":\"tenant.create\",\"schema_version\":1,\"payload\":{}}");
        produce(Topics.COMMANDS, "tenant/x", "{\"id\":\"" + newer + "\",\"type\":\"tenant.create\",\"schema_version\":7,"
                + "\"resource\":{\"kind\":\"tenant\",\"name\":\"x\"},\"payload\":{},\"something_new\":[1]}");
        produce(Topics.COMMANDS, "tenant/elsewhere", "{\"id\":\"" + wrongKey + "\",\"type\":\"tenant.create\",\"schema_version\":1,"
                + "\"resource\":{\"kind\":\"tenant\",\"name\":\"x\"},\"payload\":{\"cluster\":\"main\"}}");
        produce(Topics.IDEMPOTENT_COMMANDS, "k", "not json at all");
        produce(Topics.IDEMPOTENT_COMMANDS, "k", "{\"id\":\"" + badKeyed + "\",\"type\":\"tenant.create\",\"schema_version\":1,"
                + "\"resource\":{\"kind\":\"tenant\",\"name\":\"x\"},\"payload\":{}}");

        awaitRejected(noResource, 400);
        awaitRejected(newer, 422);
        awaitRejected(wrongKey, 400);
        awaitRejected(badKeyed, 400);
        Api.Response after = api.post("/api/v1/tenants", "{\"name\":\"after-poison\",\"cluster\":\"main\"}");
        assertThat(after.status()).as(after.body()).isEqualTo(201);
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"after-poison-keyed\",\"cluster\":\"main\"}", "Idempotency-Key", "k1").status())
                .isEqualTo(201);
        assertThat(api.get("/api/v1/tenants/x").status()).isEqualTo(404);
    }

    @Test
    void aThousandApiKeys_updatedFiftyTimes_keepFittingTheLog() {
        StringBuilder items = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 1000; i++) {
            items.append(i == 0 ? "" : ",").append("{\"name\":\"key-").append(i).append("\"}");
        }
        Api.Response replaced = api.put("/api/v1/api-keys", items.append("]}").toString(), "If-Match", "*");
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        for (int i = 0; i < 50; i++) {
            Api.Response patched = api.patch("/api/v1/api-keys/key-" + i, "{\"description\":\"update " + i + "\"}", "If-Match", "*",
                    "Idempotency-Key", "api-key-update-" + i);
            assertThat(patched.status()).as("update %d: %s", i, patched.body()).isEqualTo(200);
        }
        assertThat(api.get("/api/v1/api-keys").json().path("items")).hasSize(1000);
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"after-keys\",\"cluster\":\"main\"}").status()).isEqualTo(201);
    }

    @Test
    void aPluginConfigAtTheBodyLimit_updatedFiftyTimes_keepsFittingTheLog_andALargerDocumentIs413() {
        String filler = "x".repeat(60 * 1024);
        Api.Response created = api.post("/api/v1/plugins", "{\"name\":\"big\",\"version\":\"1\",\"source\":\"s\",\"config\":{\"blob\":\"a"
                + filler + "\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        for (int i = 0; i < 50; i++) {
            Api.Response updated = api.put("/api/v1/plugins/big", "{\"config\":{\"blob\":\"" + (char) ('a' + i % 26) + filler + "\"}}",
                    "If-Match", "*");
            assertThat(updated.status()).as("update %d: %s", i, updated.body()).isEqualTo(200);
        }
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"after-plugin\",\"cluster\":\"main\"}").status()).isEqualTo(201);
    }
}
