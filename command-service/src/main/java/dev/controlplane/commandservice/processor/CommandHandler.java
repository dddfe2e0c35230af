package dev.controlplane.commandservice.processor;

import dev.controlplane.commandservice.decision.Decision;
import dev.controlplane.commandservice.decision.ResourceCommand;
import dev.controlplane.commandservice.decision.ResourceDecider;
import dev.controlplane.commandservice.decision.ResourceEvent;
import dev.controlplane.commandservice.decision.ResourceState;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.CommandResult.Outcome;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.EventVersions;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generic step around a kind's decision: answer a retry with its first outcome, turn the envelope into a command,
 * decide, and wrap the events and the result in envelopes. No Kafka type appears here, so it is tested directly.
 */
final class CommandHandler {

    /**
     * The new state (null when unchanged), the events to append, the caller's answer, and whether that answer is to
     * be remembered for retries with the command's idempotency key.
     */
    record Handled(StoredResource next, List<EventEnvelope> events, CommandResult result, boolean remember) {
    }

    private final Supplier<UUID> ids;
    private final ReferenceView references;
    private final Map<String, Integer> eventVersions;

    CommandHandler(Supplier<UUID> ids, ReferenceView references) {
        this(ids, references, Map.of());
    }

    /** @param eventVersions event types written at an older version than their newest ({@link ProcessorSettings}) */
    CommandHandler(Supplier<UUID> ids, ReferenceView references, Map<String, Integer> eventVersions) {
        this.ids = ids;
        this.references = references;
        this.eventVersions = eventVersions;
    }

    /**
     * @param earlier the outcome of the first command with this command's idempotency key, if there was one: the
     *                claim stage has already made sure it was the same request on the same resource
     */
    Handled handle(CommandEnvelope command, StoredResource stored, CommandResult earlier, Instant now) {
        // A 503 decided nothing (the references could not be checked): its retry is decided now.
        if (earlier != null && !undecided(earlier)) {
            return new Handled(null, List.of(), earlier.answering(command.id()), false);
        }
        Optional<ResourceKind> kind = ResourceKinds.byName(command.resource().kind());
        if (kind.isEmpty()) {
            return rejected(command, Rejections.invalidCommand("unknown resource kind " + command.resource().kind()), now);
        }
        ResourceCommand decidable = decidable(command);
        if (decidable == null) {
            return rejected(command, Rejections.invalidCommand("cannot decide command type " + command.type()), now);
        }
        ResourceState state = stored == null ? ResourceState.initial(command.resource())
                : new ResourceState(command.resource(), stored.sequence(), stored.data());
        ReferenceView.Snapshot snapshot = references.asOf(command.issuedAt());
        Decision decision = ResourceDecider.decide(kind.get(), decidable, state, snapshot, now, command.actor());
        if (snapshot.unavailable()) {
            return rejected(command, Rejections.referencesUnavailable(), now);
        }
        return switch (decision) {
            case Decision.Rejected r -> rejected(command, Rejections.toProblem(r.rejection()), now);
            case Decision.Accepted a -> accept(command, stored, state, a.events(), now);
        };
    }

    private static ResourceCommand decidable(CommandEnvelope command) {
        return switch (CommandTypes.verb(command.type())) {
            case CommandTypes.CREATE -> new ResourceCommand.CreateResource(command.resource(), command.payload(), command.actor());
            case CommandTypes.UPDATE -> command.expectedVersion() == null ? null
                    : new ResourceCommand.UpdateResource(command.resource(), command.expectedVersion(), command.payload(),
                    command.forced());
            case CommandTypes.PATCH -> command.expectedVersion() == null ? null
                    : new ResourceCommand.PatchResource(command.resource(), command.expectedVersion(), command.payload(),
                    command.forced());
            case CommandTypes.ADD_ITEM -> item(command, ResourceCommand.ItemChange.ADD);
            case CommandTypes.PATCH_ITEM -> item(command, ResourceCommand.ItemChange.PATCH);
            case CommandTypes.REMOVE_ITEM -> item(command, ResourceCommand.ItemChange.REMOVE);
            default -> null;
        };
    }

    private static ResourceCommand item(CommandEnvelope command, ResourceCommand.ItemChange change) {
        String name = command.payload().path("item").asString(null);
        JsonNode value = command.payload().get("value");
        if (command.expectedVersion() == null || name == null || (change != ResourceCommand.ItemChange.REMOVE && !(value instanceof ObjectNode))) {
            return null;
        }
        return new ResourceCommand.ChangeItem(command.resource(), command.expectedVersion(), change, name,
                value instanceof ObjectNode object ? object : null);
    }

    private Handled accept(CommandEnvelope command, StoredResource stored, ResourceState state,
                           List<ResourceEvent> decided, Instant now) {
        List<EventEnvelope> events = new ArrayList<>(decided.size());
        for (ResourceEvent event : decided) {
            ObjectNode before = state.data();
            state = ResourceDecider.evolve(state, event);
            String type = event.verb().eventType(command.resource().kind());
            int version = EventVersions.written(type, eventVersions);
            ObjectNode changes = version == EventVersions.current(type) ? event.changes()
                    : ResourceKinds.byName(command.resource().kind()).orElseThrow().secret()
                    .redacted(EventVersions.changesAt(type, version, before == null ? event.data().objectNode() : before, event.data()));
            events.add(new EventEnvelope(ids.get(), type, version, command.resource(), state.sequence(), command.id(),
                    command.actor(), command.request(), now, event.data(), changes));
        }
        StoredResource next = new StoredResource(state.sequence(), state.data());
        return new Handled(next, events, accepted(command, state.sequence(), state.data(), now), command.idempotencyKey() != null);
    }

    private static CommandResult accepted(CommandEnvelope command, long version, ObjectNode data, Instant now) {
        return new CommandResult(command.id(), CommandResult.CURRENT_SCHEMA_VERSION, command.type(), command.resource(),
                Outcome.accepted, version, data, null, now);
    }

    /**
     * A rejection is remembered like an acceptance. A 503 is remembered too, as undecided: a retry of it is decided
     * (and its outcome kept in its place), while a retry whose first outcome is not kept at all is refused.
     */
    private static Handled rejected(CommandEnvelope command, Problem problem, Instant now) {
        return new Handled(null, List.of(), rejection(command.id(), command.type(), command.resource(), problem, now),
                command.idempotencyKey() != null);
    }

    static boolean undecided(CommandResult result) {
        return !result.accepted() && result.problem() != null && result.problem().status() == 503;
    }

    static CommandResult rejection(UUID commandId, String type, dev.controlplane.schemas.ResourceRef resource, Problem problem,
                                   Instant now) {
        return new CommandResult(commandId, CommandResult.CURRENT_SCHEMA_VERSION, type, resource, Outcome.rejected, null,
                null, problem, now);
    }
}
