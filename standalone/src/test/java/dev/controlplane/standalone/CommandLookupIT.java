package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.commandservice.CommandServiceApplication;
import dev.controlplane.kafkasupport.Services;
import dev.controlplane.schemas.CommandIds;
import dev.controlplane.webhooksupport.SecretBox;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A command's outcome is answered by any instance for as long as the log keeps it: a command service that remembers
 * nothing (it started after the commands, and reads no results back) finds each on the log by its id.
 */
class CommandLookupIT {

    private final Standalone system = TestSystem.shared();

    @Test
    void anInstanceThatNeverSawTheCommands_findsTheirOutcomesOnTheLog() {
        Api api = Api.of(system);
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Api.Response created = api.post("/api/v1/tenants", "{\"name\":\"lookup-" + UUID.randomUUID().toString().substring(0, 8)
                    + "\",\"cluster\":\"main\"}");
            assertThat(created.status()).isEqualTo(201);
            commands.add(created.header("X-Command-Id"));
        }
        try (ConfigurableApplicationContext other = Services.run(CommandServiceApplication.class, "--server.port=0",
                "--admin.kafka.bootstrap-servers=" + system.bootstrapServers(),
                "--admin.kafka.replication-factor=1", "--admin.kafka.min-insync-replicas=1",
                "--admin.auth.token=" + TestSystem.TOKEN, "--admin.auth.cursor-secret=" + TestSystem.cursorSecret(system),
                "--admin.auth.secret-key=another-instance", "--admin.webhooks.secret-key=" + SecretBox.newKey(),
                "--admin.processor.enabled=false", "--admin.commands.lookback=0s")) {
            Api elsewhere = api.onPort(Integer.parseInt(other.getEnvironment().getProperty("local.server.port")));
            for (String command : commands) {
                Api.Response outcome = elsewhere.get("/api/v1/commands/" + command);
                assertThat(outcome.status()).as(outcome.body()).isEqualTo(200);
                assertThat(outcome.json().path("status").asString()).isEqualTo("accepted");
                assertThat(outcome.json().path("version").asLong()).isEqualTo(1);
            }
            assertThat(elsewhere.get("/api/v1/commands/" + CommandIds.next()).status()).isEqualTo(404);
        }
    }
}
