package dev.controlplane.commandservice.decision;

import dev.controlplane.commandservice.decision.Decision.Accepted;
import dev.controlplane.commandservice.decision.Decision.Rejected;
import dev.controlplane.commandservice.decision.ResourceCommand.CreateResource;
import dev.controlplane.commandservice.decision.ResourceCommand.UpdateResource;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceCreated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceDeactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceReactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceUpdated;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/** The lifecycle every resource kind shares: create once, update on the expected version, soft delete. */
public final class ResourceDecider {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ResourceDecider() {
    }

    public static Decision decide(ResourceCommand command, ResourceState state, Instant now) {
        return switch (command) {
            case CreateResource create -> create(create, state, now);
            case UpdateResource update -> update(update, state);
        };
    }

    public static ResourceState evolve(ResourceState state, ResourceEvent event) {
        return new ResourceState(state.resource(), state.sequence() + 1, event.data());
    }

    private static Decision create(CreateResource create, ResourceState state, Instant now) {
        if (state.exists()) {
            return new Rejected(new Rejection.AlreadyExists(state.resource(), state.status()));
        }
        ObjectNode data = JSON.objectNode();
        data.put("name", create.resource().name());
        data.put("display_name", create.resource().name());
        data.setAll(create.fields());
        data.put("status", "active");
        data.put("created_at", now.toString());
        return new Accepted(List.of(new ResourceCreated(data, diff(JSON.objectNode(), data))));
    }

    private static Decision update(UpdateResource update, ResourceState state) {
        if (!state.exists()) {
            return new Rejected(new Rejection.NotFound(update.resource()));
        }
        if (!update.expected().matches(state.sequence())) {
            return new Rejected(new Rejection.VersionMismatch(state.resource(), update.expected(), state.sequence()));
        }
        JsonNode createdAt = update.fields().get("created_at");
        if (createdAt != null && !createdAt.equals(state.data().get("created_at"))) {
            return new Rejected(new Rejection.ImmutableField("created_at"));
        }
        ObjectNode data = state.data().deepCopy();
        update.fields().properties().forEach(field -> data.set(field.getKey(), field.getValue()));
        ObjectNode changes = diff(state.data(), data);
        if (changes.isEmpty()) {
            return new Accepted(List.of());
        }
        String before = state.status();
        String after = data.path("status").asString();
        ResourceEvent event;
        if (!before.equals(after) && after.equals("inactive")) {
            event = new ResourceDeactivated(data, changes);
        } else if (!before.equals(after) && after.equals("active")) {
            event = new ResourceReactivated(data, changes);
        } else {
            event = new ResourceUpdated(data, changes);
        }
        return new Accepted(List.of(event));
    }

    /** {@code {"field": {"from": old, "to": new}}} for every field whose value differs. */
    static ObjectNode diff(ObjectNode before, ObjectNode after) {
        ObjectNode changes = JSON.objectNode();
        after.properties().forEach(field -> {
            JsonNode old = before.get(field.getKey());
            if (!Objects.equals(old, field.getValue())) {
                ObjectNode change = changes.putObject(field.getKey());
                change.set("from", old == null ? NullNode.getInstance() : old);
                change.set("to", field.getValue());
            }
        });
        return changes;
    }
}
