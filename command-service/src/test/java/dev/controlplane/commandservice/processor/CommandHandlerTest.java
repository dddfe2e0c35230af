package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult.Outcome;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        CommandHandler.Handled created = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, null, NOW);
        CommandHandler.Handled updated = handler.handle(anUpdate(UUID.randomUUID(), 1), created.next(), null, NOW);

        assertThat(created.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("tenant.created");
            assertThat(e.sequence()).isEqualTo(1);
        });
        assertThat(updated.events()).singleElement().satisfies(e -> assertThat(e.sequence()).isEqualTo(2));
        assertThat(updated.result().version()).isEqualTo(2);
        assertThat(updated.result().outcome()).isEqualTo(Outcome.accepted);
    }

    @Test
    void aRetry_isAnsweredWithTheFirstOutcome_underItsOwnId_withoutNewEvents() {
        CommandHandler.Handled first = handler.handle(keyed(aCreate(UUID.randomUUID(), "h1")), null, null, NOW);
        CommandHandler.Handled later = handler.handle(anUpdate(UUID.randomUUID(), 1), first.next(), null, NOW);
        assertThat(first.remember()).isTrue();
        assertThat(later.remember()).as("a command without a key is never retried").isFalse();

        UUID retryId = UUID.randomUUID();
        CommandHandler.Handled retry = handler.handle(keyed(aCreate(retryId, "h1")), later.next(), first.result(), NOW.plusSeconds(5));

        assertThat(retry.events()).isEmpty();
        assertThat(retry.next()).isNull();
        assertThat(retry.remember()).isFalse();
        assertThat(retry.result()).isEqualTo(first.result().answering(retryId));
    }

    @Test
    void aRejection_isRememberedForRetries_andA503IsDecidedAgainOnRetry() {
        CommandHandler.Handled conflict = handler.handle(keyed(anUpdate(UUID.randomUUID(), 7)), null, null, NOW);
        assertThat(conflict.result().problem().status()).isEqualTo(404);
        assertThat(conflict.remember()).isTrue();

        reachable.set(false);
        CommandHandler.Handled unavailable = handler.handle(keyed(aCreate(UUID.randomUUID(), "h1")), null, null, NOW);
        assertThat(unavailable.result().problem().status()).isEqualTo(503);
        assertThat(unavailable.remember()).isTrue();
        reachable.set(true);
        lookups.set(0);
        CommandHandler.Handled retried = handler.handle(keyed(aCreate(UUID.randomUUID(), "h1")), null, unavailable.result(), NOW);
        assertThat(retried.result().accepted()).as("nothing was decided the first time: the retry is").isTrue();
        assertThat(retried.events()).hasSize(1);
    }

    @Test
    void aKeyReusedOnAnotherResource_orForAnotherRequest_isRefusedWith422() {
        CommandEnvelope first = keyed(aCreate(UUID.randomUUID(), "h1"));
        Claim claim = Claim.of(first);

        assertThat(claim.refusal(keyed(aCreate(UUID.randomUUID(), "h1")))).isNull();
        assertThat(claim.refusal(keyed(aCreate(UUID.randomUUID(), "h2"))).status()).isEqualTo(422);
        CommandEnvelope elsewhere = keyed(new CommandEnvelope(UUID.randomUUID(), "tenant.create", 1, new ResourceRef("tenant", "other"),
                null, "admin", new RequestContext("r", "127.0.0.1", "test"), NOW, "h1", fields("{\"cluster\":\"main\"}"), null));
        assertThat(claim.refusal(elsewhere).status()).isEqualTo(422);
        assertThat(claim.refusal(keyed(anUpdate(UUID.randomUUID(), 1))).status()).isEqualTo(422);
    }

    @Test
    void whatIsStoredPerResource_doesNotGrowWithItsHistory() {
        CommandHandler.Handled state = handler.handle(aCreate(UUID.randomUUID(), "h"), null, null, NOW);
        CommandHandler.Handled once = handler.handle(keyed(anUpdate(UUID.randomUUID(), 1, "v000")), state.next(), null, NOW);
        state = once;
        for (int i = 0; i < 100; i++) {
            state = handler.handle(keyed(anUpdate(UUID.randomUUID(), state.next().sequence(), String.format("v%03d", i + 1))), state.next(), null, NOW);
        }
        int sizeAfterOne = Envelopes.MAPPER.writeValueAsBytes(once.next()).length;
        assertThat(Envelopes.MAPPER.writeValueAsBytes(state.next()).length).as("only the version number grows, by its digits").isLessThanOrEqualTo(sizeAfterOne + 2);
    }

    @Test
    void unknownKind_isRejectedWith400() {
        CommandEnvelope command = new CommandEnvelope(UUID.randomUUID(), "gizmo.create", 1, new ResourceRef("gizmo", "g1"),
                null, "admin", new RequestContext("r", "127.0.0.1", "test"), NOW, "h", Envelopes.MAPPER.createObjectNode(), null);

        assertThat(handler.handle(command, null, null, NOW).result().problem().status()).isEqualTo(400);
    }

    @Test
    void aCommandWhoseReferencesCannotBeBroughtUpToDate_isNotDecided_andAnswers503() {
        reachable.set(false);

        CommandHandler.Handled refused = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, null, NOW);

        assertThat(refused.events()).isEmpty();
        assertThat(refused.next()).isNull();
        assertThat(refused.result().problem().status()).isEqualTo(503);
    }

    @Test
    void aCommandThatLooksNothingUp_doesNotTouchTheView() {
        CommandHandler.Handled created = handler.handle(aCreate(UUID.randomUUID(), "h1"), null, null, NOW);
        lookups.set(0);

        handler.handle(anUpdate(UUID.randomUUID(), 1), created.next(), null, NOW);

        assertThat(lookups).hasValue(0);
    }

    @Test
    void aReferenceToAMissingResource_isRefusedWith422NamingTheField() {
        CommandEnvelope create = new CommandEnvelope(UUID.randomUUID(), "tenant.create", 1, ACME, null, "admin",
                new RequestContext("r", "127.0.0.1", "test"), NOW, "h", fields("{\"cluster\":\"nowhere\"}"), null);

        CommandHandler.Handled refused = handler.handle(create, null, null, NOW);

        assertThat(refused.events()).isEmpty();
        assertThat(refused.result().problem().status()).isEqualTo(422);
        assertThat(refused.result().problem().errors()).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("/cluster"));
    }

    /** A rolling upgrade pins a type to the version every running instance reads; what it writes reads as the newest. */
    @Test
    void aTypePinnedToAnOlderVersion_isWrittenInThatVersionsForm_andReadsAsTheNewestForm() {
        CommandHandler pinned = new CommandHandler(UUID::randomUUID, view, Map.of("config.updated", 1));
        CommandHandler.Handled created = handler.handle(aConfigWrite(0, "{\"audit\":{\"retention_days\":30},\"labels\":{\"a/b\":\"x\"}}"),
                null, null, NOW);
        CommandEnvelope update = aConfigWrite(1, "{\"audit\":{\"retention_days\":90},\"labels\":{\"a/b\":\"y\"}}");

        EventEnvelope newest = handler.handle(update, created.next(), null, NOW).events().getFirst();
        EventEnvelope older = pinned.handle(update, created.next(), null, NOW).events().getFirst();

        assertThat(newest.schemaVersion()).isEqualTo(2);
        assertThat(newest.changes().propertyNames()).containsExactlyInAnyOrder("/audit/retention_days", "/labels/a~1b");
        assertThat(older.schemaVersion()).isEqualTo(1);
        assertThat(older.changes().propertyNames()).containsExactlyInAnyOrder("audit", "labels");
        assertThat(Envelopes.readEvent(Envelopes.write(older)).changes()).isEqualTo(newest.changes());
    }

    private static CommandEnvelope aConfigWrite(long expected, String payload) {
        return new CommandEnvelope(UUID.randomUUID(), "config.update", 1, new ResourceRef("config", "current"),
                ExpectedVersion.exactly(expected), "admin", new RequestContext("r", "127.0.0.1", "test"), NOW, "c" + expected,
                fields(payload), null);
    }

    private static CommandEnvelope aCreate(UUID id, String hash) {
        return new CommandEnvelope(id, "tenant.create", 1, ACME, null, "admin", new RequestContext("r", "127.0.0.1", "test"),
                NOW, hash, fields("{\"cluster\":\"main\"}"), null);
    }

    private static CommandEnvelope anUpdate(UUID id, long expected) {
        return anUpdate(id, expected, "v" + id);
    }

    private static CommandEnvelope anUpdate(UUID id, long expected, String displayName) {
        return new CommandEnvelope(id, "tenant.update", 1, ACME, ExpectedVersion.exactly(expected), "admin",
                new RequestContext("r", "127.0.0.1", "test"), NOW, "u" + id, fields("{\"display_name\":\"" + displayName + "\"}"), null);
    }

    /** The same command sent with an Idempotency-Key (the caller-scoped digest the gateway puts there). */
    private static CommandEnvelope keyed(CommandEnvelope c) {
        return new CommandEnvelope(c.id(), c.type(), c.schemaVersion(), c.resource(), c.expectedVersion(), c.actor(), c.request(),
                c.issuedAt(), c.requestHash(), c.payload(), c.force(), "key-1");
    }

    private static ObjectNode fields(String json) {
        return (ObjectNode) Envelopes.MAPPER.readTree(json);
    }
}
