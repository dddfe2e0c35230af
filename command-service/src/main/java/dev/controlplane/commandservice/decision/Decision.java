package dev.controlplane.commandservice.decision;

import java.util.List;

/** The outcome of deciding one command. An accepted command with no events changed nothing. */
public sealed interface Decision {

    record Accepted(List<ResourceEvent> events) implements Decision {
    }

    record Rejected(Rejection rejection) implements Decision {
    }
}
