package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.EventVerb;
import tools.jackson.databind.node.ObjectNode;

/** Something that happened to one resource; {@code data} is the resource after it, {@code changes} the difference. */
public sealed interface ResourceEvent {

    ObjectNode data();

    ObjectNode changes();

    default EventVerb verb() {
        return switch (this) {
            case ResourceCreated e -> EventVerb.CREATED;
            case ResourceUpdated e -> EventVerb.UPDATED;
            case ResourceDeactivated e -> EventVerb.DEACTIVATED;
            case ResourceReactivated e -> EventVerb.REACTIVATED;
        };
    }

    record ResourceCreated(ObjectNode data, ObjectNode changes) implements ResourceEvent {
    }

    record ResourceUpdated(ObjectNode data, ObjectNode changes) implements ResourceEvent {
    }

    record ResourceDeactivated(ObjectNode data, ObjectNode changes) implements ResourceEvent {
    }

    record ResourceReactivated(ObjectNode data, ObjectNode changes) implements ResourceEvent {
    }
}
