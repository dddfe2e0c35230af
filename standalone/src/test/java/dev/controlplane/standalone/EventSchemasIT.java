package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.EventVersions;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.kinds.EventSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Every event the system writes validates against the JSON Schema of its type and version, kept in schemas. */
class EventSchemasIT {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @Test
    void everyEventInTheLog_validatesAgainstItsSchema_andEveryDeclaredTypeIsWritten() throws Exception {
        writeOneOfEveryEventType();
        Set<String> declared = new TreeSet<>();
        declared.addAll(EventSchemas.all().keySet());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> written = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> record : LogProbe.read(system.bootstrapServers(), Topics.EVENTS)) {
                written.add(Envelopes.readEvent(record.value()).type());
            }
            assertThat(written).containsAll(declared);
        });

        Map<String, Schema> schemas = new HashMap<>();
        List<String> invalid = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> events = LogProbe.read(system.bootstrapServers(), Topics.EVENTS);
        for (ConsumerRecord<String, byte[]> record : events) {
            String json = new String(record.value(), StandardCharsets.UTF_8);
            EventEnvelope event = Envelopes.readEvent(record.value());
            int written = Envelopes.MAPPER.readTree(record.value()).path("schema_version").asInt();
            assertThat(written).as(event.type() + " is written at its type's current version").isEqualTo(EventVersions.current(event.type()));
            Schema schema = schemas.computeIfAbsent(EventSchemas.resource(event.type(), written), EventSchemasIT::schema);
            schema.validate(json, InputFormat.JSON).forEach(error -> invalid.add(event.type() + " " + error + " in " + json));
        }
        assertThat(events).hasSizeGreaterThan(declared.size());
        assertThat(invalid).isEmpty();
    }

    private void writeOneOfEveryEventType() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String tenant = "schema-t-" + id;
        String policy = "schema-p-" + id;
        String role = "schema-r-" + id;
        created("/api/v1/clusters", "{\"name\":\"schema-c-" + id + "\"}");
        created("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        created("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[{\"tenant\":\"" + tenant
                + "\",\"cluster\":\"main\",\"label_policies\":[{\"selector\":\"{env=\\\"prod\\\"}\"}]}],\"scopes\":[\"metrics:read\"]}");
        created("/api/v1/tokens", "{\"name\":\"schema-k-" + id + "\",\"access_policy\":\"" + policy + "\",\"expiration\":\"2099-01-01T00:00:00Z\"}");
        created("/api/v1/roles", "{\"name\":\"" + role + "\",\"scopes\":[\"users:read\"]}");
        created("/api/v1/users", "{\"username\":\"schema-u-" + id + "\",\"email\":\"u@example.com\",\"roles\":[\"" + role + "\"]}");
        created("/api/v1/plugins", "{\"name\":\"schema-g-" + id + "\",\"version\":\"1.0.0\",\"source\":\"oci://x\",\"config\":{\"a\":1}}");
        created("/api/v1/webhooks", "{\"name\":\"schema-w-" + id + "\",\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"nothing.created\"]}");
        for (String path : List.of("/api/v1/tokens/schema-k-" + id, "/api/v1/users/schema-u-" + id, "/api/v1/plugins/schema-g-" + id,
                "/api/v1/accesspolicies/" + policy, "/api/v1/tenants/" + tenant, "/api/v1/roles/" + role, "/api/v1/webhooks/schema-w-" + id)) {
            for (String body : List.of("{\"display_name\":\"changed\"}", "{\"status\":\"inactive\"}", "{\"status\":\"active\"}")) {
                Api.Response changed = api.patch(path + (path.contains("/roles/") ? "?force=true" : ""), body, "If-Match", "*");
                assertThat(changed.status()).as(path + " " + body + " " + changed.body()).isEqualTo(200);
            }
        }
        assertThat(api.patch("/api/v1/config", "{\"labels\":{\"run\":\"" + id + "\"}}", "If-Match", "*").status()).isEqualTo(200);
        assertThat(api.patch("/api/v1/config", "{\"labels\":{\"again\":\"" + id + "\"}}", "If-Match", "*").status()).isEqualTo(200);
        created("/api/v1/api-keys", "{\"name\":\"schema-a-" + id + "\"}");
        long now = Instant.now().getEpochSecond();
        created("/api/v1/licenses", "{\"name\":\"schema-l-" + id + "\",\"license\":\""
                + TestLicenses.sign(TestSystem.LICENSE_ISSUER.getPrivate(), now - 60, now + 3600) + "\"}");
        assertThat(api.patch("/api/v1/api-keys/schema-a-" + id, "{\"description\":\"d\"}", "If-Match", "*").status()).isEqualTo(200);
    }

    private void created(String path, String body) {
        Api.Response response = api.post(path, body);
        assertThat(response.status()).as(path + " " + response.body()).isEqualTo(201);
    }

    private static Schema schema(String resource) {
        try (InputStream in = EventSchemas.class.getResourceAsStream("/" + resource)) {
            assertThat(in).as(resource).isNotNull();
            return REGISTRY.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
