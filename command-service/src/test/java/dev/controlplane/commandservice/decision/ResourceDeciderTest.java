package dev.controlplane.commandservice.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.commandservice.decision.Decision.Accepted;
import dev.controlplane.commandservice.decision.Decision.Rejected;
import dev.controlplane.commandservice.decision.ResourceCommand.CreateResource;
import dev.controlplane.commandservice.decision.ResourceCommand.UpdateResource;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceCreated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceDeactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceReactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceUpdated;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** given(events) / when(command) / then(events or rejection), with no framework in sight. */
class ResourceDeciderTest {

    private static final ResourceRef ACME = new ResourceRef("tenant", "acme");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void create_recordsCreated_withActiveStatusAndCreatedAt() {
        Decision decision = when(given(), new CreateResource(ACME, fields("{\"cluster\":\"main\"}")));

        ResourceEvent event = single(decision);
        assertThat(event).isInstanceOf(ResourceCreated.class);
        assertThat(event.data().toString()).isEqualTo(
                "{\"name\":\"acme\",\"display_name\":\"acme\",\"cluster\":\"main\",\"status\":\"active\",\"created_at\":\"2026-01-01T00:00:00Z\"}");
        assertThat(event.changes().path("cluster").path("to").asString()).isEqualTo("main");
    }

    @Test
    void create_isRejected_whenTheNameExists_evenIfInactive() {
        ResourceState state = given(aTenantCreated(), aTenantDeactivated());

        Decision decision = when(state, new CreateResource(ACME, fields("{\"cluster\":\"main\"}")));

        assertThat(decision).isEqualTo(new Rejected(new Rejection.AlreadyExists(ACME, "inactive")));
    }

    @Test
    void update_recordsUpdated_withWhatChanged() {
        Decision decision = when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"display_name\":\"Acme Inc\"}")));

        ResourceEvent event = single(decision);
        assertThat(event).isInstanceOf(ResourceUpdated.class);
        assertThat(event.changes().toString()).isEqualTo("{\"display_name\":{\"from\":\"acme\",\"to\":\"Acme Inc\"}}");
        assertThat(event.data().path("cluster").asString()).isEqualTo("main");
    }

    @Test
    void update_isRejected_whenTheExpectedVersionIsStale() {
        Decision decision = when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"display_name\":\"x\"}")));

        assertThat(decision).isEqualTo(new Rejected(new Rejection.VersionMismatch(ACME, ExpectedVersion.exactly(1), 2)));
    }

    @Test
    void update_withAnyVersion_appliesToTheCurrentVersion() {
        Decision decision = when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"display_name\":\"x\"}")));

        assertThat(single(decision)).isInstanceOf(ResourceUpdated.class);
    }

    @Test
    void update_toInactive_recordsDeactivated_andBackToActive_recordsReactivated() {
        assertThat(single(when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"status\":\"inactive\"}")))))
                .isInstanceOf(ResourceDeactivated.class);
        assertThat(single(when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(2), fields("{\"status\":\"active\"}")))))
                .isInstanceOf(ResourceReactivated.class);
    }

    @Test
    void update_thatChangesNothing_isAcceptedWithoutEvents() {
        Decision decision = when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"cluster\":\"main\"}")));

        assertThat(decision).isEqualTo(new Accepted(List.of()));
    }

    @Test
    void update_isRejected_whenItChangesCreatedAt_butAcceptsTheSameValue() {
        ResourceState state = given(aTenantCreated());
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"created_at\":\"1999-01-01T00:00:00Z\"}"))))
                .isEqualTo(new Rejected(new Rejection.ImmutableField("created_at")));
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"created_at\":\"2026-01-01T00:00:00Z\"}"))))
                .isEqualTo(new Accepted(List.of()));
    }

    @Test
    void update_isRejected_whenTheResourceDoesNotExist() {
        assertThat(when(given(), new UpdateResource(ACME, ExpectedVersion.ANY, fields("{}"))))
                .isEqualTo(new Rejected(new Rejection.NotFound(ACME)));
    }

    @Test
    void evolve_advancesTheSequenceByOnePerEvent() {
        assertThat(given(aTenantCreated(), aTenantDeactivated()).sequence()).isEqualTo(2);
    }

    // --- fixtures

    private static ResourceState given(ResourceEvent... history) {
        ResourceState state = ResourceState.initial(ACME);
        for (ResourceEvent event : history) {
            state = ResourceDecider.evolve(state, event);
        }
        return state;
    }

    private static Decision when(ResourceState state, ResourceCommand command) {
        return ResourceDecider.decide(command, state, NOW);
    }

    private static ResourceEvent single(Decision decision) {
        assertThat(decision).isInstanceOf(Accepted.class);
        List<ResourceEvent> events = ((Accepted) decision).events();
        assertThat(events).hasSize(1);
        return events.getFirst();
    }

    static ResourceEvent aTenantCreated() {
        return single(ResourceDecider.decide(new CreateResource(ACME, fields("{\"cluster\":\"main\"}")), ResourceState.initial(ACME), NOW));
    }

    static ResourceEvent aTenantDeactivated() {
        return single(ResourceDecider.decide(new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"status\":\"inactive\"}")),
                given(aTenantCreated()), NOW));
    }

    private static ObjectNode fields(String json) {
        return (ObjectNode) Envelopes.MAPPER.readTree(json);
    }
}
