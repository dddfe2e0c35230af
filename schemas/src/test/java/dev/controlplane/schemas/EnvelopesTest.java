package dev.controlplane.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire form is the contract: names are explicit, round trips are lossless, old fixtures still load. */
class EnvelopesTest {

    @ParameterizedTest
    @EnumSource(EventVerb.class)
    void everyEventVerb_hasAStableWireName_andAuditAction(EventVerb verb) {
        for (ResourceKind kind : ResourceKinds.ALL) {
            String type = verb.eventType(kind.name());
            assertThat(type).matches("[a-z_]+\\.(created|updated|deactivated|reactivated)");
            assertThat(EventVerb.fromType(type)).isEqualTo(verb);
        }
    }

    @Test
    void eventEnvelope_survivesARoundTrip_inSnakeCase() {
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "tenant.updated", 1, new ResourceRef("tenant", "acme"),
                7, UUID.randomUUID(), "admin", new RequestContext("r", "::1", "ua"), Instant.parse("2026-01-01T00:00:00.5Z"),
                Envelopes.MAPPER.createObjectNode().put("name", "acme"), Envelopes.MAPPER.createObjectNode());

        byte[] json = Envelopes.write(event);

        assertThat(new String(json)).contains("\"schema_version\":1", "\"command_id\"", "\"occurred_at\":\"2026-01-01T00:00:00.500Z\"");
        assertThat(Envelopes.readEvent(json)).isEqualTo(event);
        assertThat(event.action()).isEqualTo("tenant.update");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenant.created", "access_policy.deactivated"})
    void storedVersion1EventFixtures_stillLoad(String fixture) throws IOException {
        EventEnvelope event = Envelopes.readEvent(fixture("v1/" + fixture + ".json"));

        assertThat(event.type()).isEqualTo(fixture);
        assertThat(event.schemaVersion()).isEqualTo(EventVersions.current(fixture));
        assertThat(event.data().path("name").asString()).isEqualTo(event.resource().name());
    }

    @Test
    void aVersion1ConfigUpdate_isReadAsTheVersion2EventOfTheSameChange() throws IOException {
        EventEnvelope fromVersion1 = Envelopes.readEvent(fixture("v1/config.updated.json"));
        EventEnvelope written = Envelopes.readEvent(fixture("v2/config.updated.json"));

        assertThat(EventVersions.current("config.updated")).isEqualTo(2);
        assertThat(fromVersion1).isEqualTo(written);
        assertThat(fromVersion1.changes().propertyNames()).containsExactlyInAnyOrder("/audit/retention_days",
                "/tokens/max_lifetime_days", "/labels/team", "/labels/site~1zone", "/rate_limits/requests_per_minute");
        assertThat(Envelopes.readEvent(Envelopes.write(fromVersion1))).isEqualTo(written);
    }

    @Test
    void changesByPointer_descendIntoObjects_andTreatArraysAndEmptyObjectsAsValues() {
        var before = Envelopes.MAPPER.readTree("{\"a\":{\"b\":1,\"c\":[1,2]},\"e\":{},\"s\":\"x\"}");
        var after = Envelopes.MAPPER.readTree("{\"a\":{\"b\":1,\"c\":[1,3],\"d\":{\"x~y\":true}},\"s\":\"x\"}");

        assertThat(Changes.byPointer(before, after)).isEqualTo(Envelopes.MAPPER.readTree(
                "{\"/a/c\":{\"from\":[1,2],\"to\":[1,3]},\"/a/d/x~0y\":{\"from\":null,\"to\":true},\"/e\":{\"from\":{},\"to\":null}}"));
        assertThat(Changes.byPointer(before, before)).isEmpty();
        assertThat(Changes.byPointer(Envelopes.MAPPER.readTree("{\"l\":{}}"), Envelopes.MAPPER.readTree("{\"l\":{\"a\":null}}")))
                .as("a member set to null is a change").isEqualTo(Envelopes.MAPPER.readTree("{\"/l/a\":{\"from\":null,\"to\":null}}"));
    }

    @Test
    void storedVersion1CommandFixture_stillLoads() throws IOException {
        CommandEnvelope command = Envelopes.readCommand(fixture("v1/tenant.update.command.json"));

        assertThat(command.expectedVersion()).isEqualTo(ExpectedVersion.exactly(3));
        assertThat(command.payload().path("display_name").asString()).isEqualTo("Acme");
    }

    @Test
    void anyExpectedVersion_isWrittenAsStar() {
        assertThat(Envelopes.MAPPER.writeValueAsString(ExpectedVersion.ANY)).isEqualTo("\"*\"");
        assertThat(Envelopes.MAPPER.readValue("\"*\"", ExpectedVersion.class)).isEqualTo(ExpectedVersion.ANY);
    }

    @Test
    void anEnvelopeFromANewerWriter_isRefusedRatherThanMisread() {
        assertThatThrownBy(() -> Envelopes.readEvent("{\"schema_version\":99}".getBytes()))
                .hasMessageContaining("newer");
        assertThatThrownBy(() -> Envelopes.readEvent("{\"type\":\"config.updated\",\"schema_version\":3}".getBytes()))
                .hasMessageContaining("newer");
        assertThatThrownBy(() -> Envelopes.readEvent("{\"type\":\"config.updated\",\"schema_version\":0}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a version");
    }

    private static byte[] fixture(String path) throws IOException {
        try (InputStream in = EnvelopesTest.class.getResourceAsStream("/fixtures/" + path)) {
            return in.readAllBytes();
        }
    }
}
