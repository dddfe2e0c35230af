package dev.controlplane.schemas.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.EventVerb;
import dev.controlplane.schemas.EventVersions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event schemas kept in the repository are the ones the kinds declare, earlier versions stay, and stored events
 * of every version validate against the schema of their version and load in the current one. To write the files after changing a kind:
 * {@code ./mvnw -pl schemas test -Dtest=EventSchemasTest -Dregenerate=true}.
 */
class EventSchemasTest {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void theSchemaFilesInTheRepository_areTheOnesTheKindsDeclare_andEarlierVersionsStay() throws IOException {
        if (Boolean.getBoolean("regenerate")) {
            EventSchemas.main(new String[] {"src/main/resources"});
        }
        Map<String, ObjectNode> declared = EventSchemas.all();
        assertThat(declared).hasSizeGreaterThan(ResourceKinds.ALL.size());
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, ObjectNode> schema : declared.entrySet()) {
            int current = EventVersions.current(schema.getKey());
            String file = EventSchemas.resource(schema.getKey(), current);
            assertThat(Files.readString(Path.of("src/main/resources", file)))
                    .as(file + " is out of date: regenerate with -Dregenerate=true (see this test's comment)")
                    .isEqualTo(EventSchemas.render(schema.getValue()));
            for (int version = 1; version <= current; version++) {
                expected.add(EventSchemas.resource(schema.getKey(), version));
            }
        }
        Path resources = Path.of("src/main/resources");
        try (var files = Files.walk(resources.resolve(EventSchemas.RESOURCE_ROOT))) {
            assertThat(files.filter(Files::isRegularFile).map(f -> resources.relativize(f).toString()).toList())
                    .as("the current schema of every type, every earlier one, and nothing else")
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1/tenant.created.json", "v1/access_policy.deactivated.json", "v1/token.created.json",
            "v1/plugin.updated.json", "v1/config.updated.json", "v2/config.updated.json"})
    void storedEvents_validateAgainstTheSchemaOfTheirVersion_andStillLoad(String fixture) throws IOException {
        String json = fixture(fixture);
        EventEnvelope event = Envelopes.readEvent(json.getBytes(StandardCharsets.UTF_8));

        assertThat(validate(event.type(), Integer.parseInt(fixture.substring(1, 2)), json)).isEmpty();
        assertThat(event.schemaVersion()).isEqualTo(EventVersions.current(event.type()));
    }

    @Test
    void theSecondVersionsSchema_refusesChangesKeyedByField() throws IOException {
        String version1 = fixture("v1/config.updated.json").replace("\"schema_version\":1", "\"schema_version\":2");

        assertThat(validate("config.updated", 2, version1)).isNotEmpty().allMatch(error -> error.contains("/changes"));
    }

    /** Secrets are redacted by field name, which a pointer key is not: no type of a kind with hidden fields uses one. */
    @Test
    void noTypeOfAKindWithHiddenFields_keysItsChangesByPointer() {
        for (ResourceKind kind : ResourceKinds.ALL) {
            for (EventVerb verb : EventSchemas.verbs(kind)) {
                if (!kind.secret().hiddenFields().isEmpty()) {
                    assertThat(EventVersions.changesByPointer(verb.eventType(kind.name()))).as(verb.eventType(kind.name())).isFalse();
                }
            }
        }
    }

    @Test
    void anEventThatBreaksItsSchema_isCaught() throws IOException {
        String json = fixture("v1/tenant.created.json").replace("\"cluster\":\"main\",", "\"cluster\":7,");

        assertThat(validate("tenant.created", 1, json)).isNotEmpty();
    }

    /** The schema errors of an event, empty when it is valid. */
    static List<String> validate(String eventType, int version, String json) throws IOException {
        Schema schema = REGISTRY.getSchema(stored(EventSchemas.resource(eventType, version)), InputFormat.JSON);
        return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    private static String stored(String resource) throws IOException {
        try (InputStream in = EventSchemas.class.getResourceAsStream("/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = EventSchemasTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
