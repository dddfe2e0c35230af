package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.auditprojector.AuditProjectorApplication;
import dev.controlplane.commandservice.CommandServiceApplication;
import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import dev.controlplane.kafkasupport.Services;
import dev.controlplane.queryservice.QueryServiceApplication;
import dev.controlplane.webhooks.WebhookDispatcherApplication;
import dev.controlplane.webhooksupport.SecretBox;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Each service runs alone, as in a deployment with one process per service: the command service, the query
 * service, the audit projector and the webhook dispatcher, each its own Spring application against one Kafka,
 * configured only by properties. A write to one is read from another.
 */
class ServicesAloneIT {

    @Test
    void theServicesRunApart_andTogetherServeTheApi() throws Exception {
        Path dir = TestSystem.newDataDir();
        List<ConfigurableApplicationContext> services = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0)) {
            String[] common = {"--server.port=0", "--admin.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--admin.kafka.replication-factor=1", "--admin.kafka.min-insync-replicas=1",
                    "--admin.auth.token=" + TestSystem.TOKEN, "--admin.auth.cursor-secret=shared-cursor-secret",
                    "--admin.auth.secret-key=shared-secret-key",
                    "--admin.webhooks.secret-key=" + SecretBox.newKey()};
            ConfigurableApplicationContext commands = start(services, CommandServiceApplication.class, common,
                    "--admin.processor.state-dir=" + dir.resolve("processor"));
            ConfigurableApplicationContext queries = start(services, QueryServiceApplication.class, common,
                    "--admin.query.read-model-url=jdbc:sqlite:" + dir.resolve("read-model.db"),
                    "--admin.query.audit-url=jdbc:sqlite:" + dir.resolve("audit.db"));
            start(services, AuditProjectorApplication.class, common, "--admin.audit.url=jdbc:sqlite:" + dir.resolve("audit.db"),
                    "--spring.main.web-application-type=none");
            start(services, WebhookDispatcherApplication.class, common,
                    "--admin.webhooks.store-url=jdbc:sqlite:" + dir.resolve("webhooks.db"));

            Api writes = api(commands);
            Api reads = api(queries);
            assertThat(writes.post("/api/v1/clusters", "{\"name\":\"apart\"}").status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(writes.post("/api/v1/tenants", "{\"name\":\"apart-tenant\",\"cluster\":\"apart\"}").status()).isIn(201, 409));
            assertThat(reads.get("/api/v1/tenants/apart-tenant?min_version=1").json().path("cluster").asString()).isEqualTo("apart");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(reads.get("/api/v1/audit?resource=tenant/apart-tenant").json().path("items")).hasSize(1));
        } finally {
            for (ConfigurableApplicationContext service : services.reversed()) {
                service.close();
            }
        }
    }

    private static ConfigurableApplicationContext start(List<ConfigurableApplicationContext> services, Class<?> application,
                                                        String[] common, String... own) {
        String[] args = new String[common.length + own.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(own, 0, args, common.length, own.length);
        ConfigurableApplicationContext context = Services.run(application, args);
        services.add(context);
        return context;
    }

    private static Api api(ConfigurableApplicationContext service) {
        String port = service.getEnvironment().getProperty("local.server.port");
        return new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), "http://127.0.0.1:" + port, TestSystem.TOKEN);
    }
}
