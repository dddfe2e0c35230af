package dev.controlplane.schemas.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event schemas kept in the repository are the ones the kinds declare, and stored events of every version
 * still validate against them. To write the files after changing a kind:
 * {@code ./mvnw -pl schemas test -Dtest=EventSchemasTest -Dregenerate=true}.
 */
class EventSchemasTest {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void theSchemaFilesInTheRepository_areTheOnesTheKindsDeclare() throws IOException {
        if (Boolean.getBoolean("regenerate")) {
            EventSchemas.main(new String[] {"src/main/resources"});
        }
        Map<String, ObjectNode> declared = EventSchemas.all();
        assertThat(declared).hasSizeGreaterThan(ResourceKinds.ALL.size());
        for (Map.Entry<String, ObjectNode> schema : declared.entrySet()) {
            assertThat(Files.readString(Path.of("src/main/resources", EventSchemas.RESOURCE_DIRECTORY, schema.getKey())))
                    .as(schema.getKey() + " is out of date: regenerate with -Dregenerate=true (see this test's comment)")
                    .isEqualTo(EventSchemas.render(schema.getValue()));
        }
        try (var files = Files.list(Path.of("src/main/resources", EventSchemas.RESOURCE_DIRECTORY))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .as("no schema file without a declared event type").containsExactlyInAnyOrderElementsOf(declared.keySet());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenant.created.json", "access_policy.deactivated.json", "token.created.json", "plugin.updated.json"})
    void storedVersion1Events_validateAgainstTheirSchema_andStillLoad(String fixture) throws IOException {
        String json = fixture(fixture);
        EventEnvelope event = Envelopes.readEvent(json.getBytes(StandardCharsets.UTF_8));

        assertThat(validate(event.type(), json)).isEmpty();
    }

    @Test
    void anEventThatBreaksItsSchema_isCaught() throws IOException {
        String json = fixture("tenant.created.json").replace("\"cluster\":\"main\",", "\"cluster\":7,");

        assertThat(validate("tenant.created", json)).isNotEmpty();
    }

    /** The schema errors of an event, empty when it is valid. */
    static List<String> validate(String eventType, String json) throws IOException {
        Schema schema = REGISTRY.getSchema(stored(EventSchemas.fileName(eventType)), InputFormat.JSON);
        return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    private static String stored(String fileName) throws IOException {
        try (InputStream in = EventSchemas.class.getResourceAsStream("/" + EventSchemas.RESOURCE_DIRECTORY + "/" + fileName)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = EventSchemasTest.class.getResourceAsStream("/fixtures/v1/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
