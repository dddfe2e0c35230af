package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each store keeps its own position with its rows, so a store that is lost or restored from an older backup is
 * rebuilt or caught up from the log, never skipped over; what a projector cannot apply is a dead letter an operator
 * sees; {@code /health} reports a projector that stopped. On a system of its own: it restarts it and writes garbage
 * onto the event log.
 */
class StorePositionsIT {

    private final Path dataDir = TestSystem.newDataDir();
    private Standalone system;

    @AfterEach
    void stop() {
        if (system != null) {
            system.close();
        }
    }

    private Api start() {
        system = TestSystem.withMainCluster(TestSystem.start(dataDir));
        return Api.of(system);
    }

    private void restart() {
        system.close();
        system = null;
    }

    private static void create(Api api, String name) {
        Api.Response created = api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    private static void awaitReadable(Api api, String... names) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String name : names) {
                assertThat(api.get("/api/v1/tenants/" + name).status()).as(name).isEqualTo(200);
            }
        });
    }

    private static void awaitAudited(Api api, String name) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/api/v1/audit?resource=tenant/" + name).json().path("items")).hasSize(1));
    }

    @Test
    void aLostReadModelAndAuditStore_areRebuiltFromTheLog() throws Exception {
        Api api = start();
        create(api, "before-loss");
        awaitReadable(api, "before-loss");
        awaitAudited(api, "before-loss");
        restart();
        for (String file : List.of("read-model.db", "audit.db")) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(dataDir.resolve(file + suffix));
            }
        }

        api = start();

        awaitReadable(api, "before-loss");
        awaitAudited(api, "before-loss");
    }

    @Test
    void aReadModelRestoredFromAnOlderBackup_catchesUp() throws Exception {
        Api api = start();
        create(api, "in-backup");
        awaitReadable(api, "in-backup");
        restart();
        Path backup = dataDir.resolve("read-model.backup");
        Files.copy(dataDir.resolve("read-model.db"), backup);
        api = start();
        create(api, "after-backup");
        awaitReadable(api, "after-backup");
        restart();
        for (String suffix : List.of("-wal", "-shm")) {
            Files.deleteIfExists(dataDir.resolve("read-model.db" + suffix));
        }
        Files.copy(backup, dataDir.resolve("read-model.db"), StandardCopyOption.REPLACE_EXISTING);

        api = start();

        awaitReadable(api, "in-backup", "after-backup");
    }

    @Test
    void anEventNoProjectorCanRead_isADeadLetter_andProjectionGoesOn() throws Exception {
        Api api = start();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                system.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, "tenant/garbage", "{\"not\":\"an event\"".getBytes())).get();
        }
        create(api, "after-garbage");

        awaitReadable(api, "after-garbage");
        awaitAudited(api, "after-garbage");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String store : List.of("read-model.db", "audit.db", "webhooks.db")) {
                try (SqlStore opened = SqlStore.open(Database.at("jdbc:sqlite:" + dataDir.resolve(store)), store.replace(".db", ""), 1)) {
                    assertThat(opened.deadLetters()).as(store).singleElement().satisfies(letter -> {
                        assertThat(letter.get("topic")).isEqualTo(Topics.EVENTS);
                        assertThat(letter.get("key")).isEqualTo("tenant/garbage");
                    });
                }
            }
        });
        assertThat(api.withToken(null).get("/metrics").body()).contains("admin_projection_dead_letters_total{");
        assertThat(api.withToken(null).get("/health").status()).isEqualTo(200);
    }

    @Test
    void aProjectorThatStopped_isReportedByHealth() {
        Api api = start();
        EventProjector projector = system.context().getBean("resourceProjector", EventProjector.class);
        assertThat(api.withToken(null).get("/health").status()).isEqualTo(200);

        projector.stop();

        Api.Response health = api.withToken(null).get("/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().path("views").path("read-model projector").path("detail").asString()).isEqualTo("stopped");
        projector.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.withToken(null).get("/health").status() == 200);
    }
}
