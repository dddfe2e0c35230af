package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult.Outcome;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class CommandHandlerTest {

    private static final ResourceRef ACME = new ResourceRef("tenant", "acme");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** A view of other resources that knows cluster "main", unless it cannot be brought up to date. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private final AtomicInteger lookups = new AtomicInteger();
    private final ReferenceView view = issuedAt -> new ReferenceView.Snapshot() {
        @Override
        public Optional<String> status(ResourceRef resource) {
            lookups.incrementAndGet();
            return resource.equals(new ResourceRef("cluster", "main")) ? Optional.of("active") : Optional.empty();
        }

        @Override
        public List<ResourceRef> referrers(ResourceRef target, String kind, String path) {
            lookups.incrementAndGet();
            return List.of();
        }

        @Override
        public boolean unavailable() {
            return lookups.get() > 0 && !reachable.get();
        }
    };
    private final CommandHandler handler = new CommandHandler(UUID::randomUUID, view);

    @Test
    void acceptedCommand_writesEventsWithTheNextSequence_andTheResultCarriesIt() {
        CommandHandler.Handled created = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, NOW);
        CommandHandler.Handled updated = handler.handle(anUpdate(UUID.randomUUID(), 1), created.next(), NOW);

        assertThat(created.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("tenant.created");
            assertThat(e.sequence()).isEqualTo(1);
        });
        assertThat(updated.events()).singleElement().satisfies(e -> assertThat(e.sequence()).isEqualTo(2));
        assertThat(updated.result().version()).isEqualTo(2);
        assertThat(updated.result().outcome()).isEqualTo(Outcome.accepted);
    }

    @Test
    void retriedCommand_isAnsweredFromItsFirstDecision_withoutNewEvents() {
        UUID id = UUID.randomUUID();
        CommandHandler.Handled first = handler.handle(aCreate(id, "h1"), null, NOW);
        CommandHandler.Handled later = handler.handle(anUpdate(UUID.randomUUID(), 1), first.next(), NOW);

        CommandHandler.Handled retry = handler.handle(aCreate(id, "h1"), later.next(), NOW.plusSeconds(5));

        assertThat(retry.events()).isEmpty();
        assertThat(retry.next()).isNull();
        assertThat(retry.result().outcome()).isEqualTo(Outcome.accepted);
        assertThat(retry.result().version()).isEqualTo(1);
        assertThat(retry.result().data()).isEqualTo(first.result().data());
    }

    @Test
    void retriedCommandId_withAnotherRequest_isRejectedWith422() {
        UUID id = UUID.randomUUID();
        CommandHandler.Handled first = handler.handle(aCreate(id, "h1"), null, NOW);

        CommandHandler.Handled retry = handler.handle(aCreate(id, "h2"), first.next(), NOW);

        assertThat(retry.result().problem().status()).isEqualTo(422);
        assertThat(retry.events()).isEmpty();
    }

    @Test
    void rememberedCommands_areBoundedByCountAndAge() {
        CommandHandler.Handled state = handler.handle(aCreate(UUID.randomUUID(), "h"), null, NOW);
        for (int i = 0; i < 40; i++) {
            state = handler.handle(anUpdate(UUID.randomUUID(), state.next().sequence()), state.next(), NOW);
        }
        assertThat(state.next().recent()).hasSize(StoredResource.RECENT_LIMIT);

        CommandHandler.Handled muchLater = handler.handle(anUpdate(UUID.randomUUID(), state.next().sequence()),
                state.next(), NOW.plus(CommandHandler.RECENT_WINDOW).plus(Duration.ofMinutes(1)));
        assertThat(muchLater.next().recent()).hasSize(1);
    }

    @Test
    void unknownKind_isRejectedWith400() {
        CommandEnvelope command = new CommandEnvelope(UUID.randomUUID(), "gizmo.create", 1, new ResourceRef("gizmo", "g1"),
                null, "admin", new RequestContext("r", "127.0.0.1", "test"), NOW, "h", Envelopes.MAPPER.createObjectNode(), null);

        assertThat(handler.handle(command, null, NOW).result().problem().status()).isEqualTo(400);
    }

    @Test
    void aCommandWhoseReferencesCannotBeBroughtUpToDate_isNotDecided_andAnswers503() {
        reachable.set(false);

        CommandHandler.Handled refused = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, NOW);

        assertThat(refused.events()).isEmpty();
        assertThat(refused.next()).isNull();
        assertThat(refused.result().problem().status()).isEqualTo(503);
    }

    @Test
    void aCommandThatLooksNothingUp_doesNotTouchTheView() {
        CommandHandler.Handled created = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, NOW);
        lookups.set(0);

        handler.handle(anUpdate(UUID.randomUUID(), 1), created.next(), NOW);

        assertThat(lookups).hasValue(0);
    }

    @Test
    void aReferenceToAMissingResource_isRefusedWith422NamingTheField() {
        CommandEnvelope create = new CommandEnvelope(UUID.randomUUID(), "tenant.create", 1, ACME, null, "admin",
                new RequestContext("r", "127.0.0.1", "test"), NOW, "h", fields("{\"cluster\":\"nowhere\"}"), null);

        CommandHandler.Handled refused = handler.handle(create, null, NOW);

        assertThat(refused.events()).isEmpty();
        assertThat(refused.result().problem().status()).isEqualTo(422);
        assertThat(refused.result().problem().errors()).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("/cluster"));
    }

    private static CommandEnvelope aCreate(UUID id, String hash) {
        return new CommandEnvelope(id, "tenant.create", 1, ACME, null, "admin", new RequestContext("r", "127.0.0.1", "test"),
                NOW, hash, fields("{\"cluster\":\"main\"}"), null);
    }

    private static CommandEnvelope anUpdate(UUID id, long expected) {
        return new CommandEnvelope(id, "tenant.update", 1, ACME, ExpectedVersion.exactly(expected), "admin",
                new RequestContext("r", "127.0.0.1", "test"), NOW, "u" + id, fields("{\"display_name\":\"v" + id + "\"}"), null);
    }

    private static ObjectNode fields(String json) {
        return (ObjectNode) Envelopes.MAPPER.readTree(json);
    }
}
