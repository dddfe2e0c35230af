package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.kafkasupport.Services;
import dev.controlplane.queryservice.QueryServiceApplication;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A GET is consistent by default: a second query service, projecting the log into a read model of its own, answers
 * every resource the first instance just acknowledged, never 404; {@code consistency=eventual} does not wait.
 */
class ConsistentReadsIT {

    private static final Standalone system = TestSystem.shared();
    private static ConfigurableApplicationContext replica;
    private static Api other;

    @BeforeAll
    static void startSecondQueryService() {
        replica = Services.run(QueryServiceApplication.class, "--server.port=0",
                "--admin.kafka.bootstrap-servers=" + system.bootstrapServers(),
                "--admin.kafka.replication-factor=1", "--admin.kafka.min-insync-replicas=1",
                "--admin.auth.token=" + TestSystem.TOKEN, "--admin.auth.cursor-secret=" + TestSystem.cursorSecret(system),
                "--admin.query.read-model-url=jdbc:sqlite:" + TestSystem.newDataDir().resolve("second-read-model.db"),
                "--admin.query.audit-url=jdbc:sqlite:" + system.dataDir().resolve("audit.db"));
        int port = Integer.parseInt(replica.getEnvironment().getProperty("local.server.port"));
        other = Api.of(system).onPort(port);
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
    }

    @Test
    void everyAcknowledgedWrite_isReadByAnotherInstance_atOnce() {
        Api api = Api.of(system);
        for (int i = 0; i < 30; i++) {
            String name = "consistent-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response created = api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Api.Response updated = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v2\"}", "If-Match", "\"1\"");
            assertThat(updated.status()).isEqualTo(200);

            Api.Response read = other.get("/api/v1/tenants/" + name);
            assertThat(read.status()).as("read %d after its 200", i).isEqualTo(200);
            assertThat(read.header("ETag")).isEqualTo("\"2\"");
            assertThat(other.get("/api/v1/tenants?limit=1000").body()).contains(name);
        }
    }

    @Test
    void aCursorFromOneInstance_worksOnAnother() {
        Api api = Api.of(system);
        for (int i = 0; i < 2; i++) {
            api.post("/api/v1/tenants", "{\"name\":\"paged-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"cluster\":\"main\"}");
        }
        String cursor = api.get("/api/v1/tenants?limit=1").json().path("next_cursor").asString();

        Api.Response next = other.get("/api/v1/tenants?limit=1&cursor=" + cursor);

        assertThat(next.status()).as(next.body()).isEqualTo(200);
        assertThat(next.json().path("items")).hasSize(1);
    }

    @Test
    void eventualReads_areAnsweredFromTheReadModelAsItIs() {
        assertThat(other.get("/api/v1/tenants?consistency=eventual").status()).isEqualTo(200);
        assertThat(other.get("/api/v1/tenants?consistency=sometimes").status()).isEqualTo(400);
    }
}
