package dev.controlplane.commandservice.processor;

import dev.controlplane.commandservice.decision.References;
import java.time.Instant;

/** The processor's view of other resources, made current enough for the command being decided. */
interface ReferenceView {

    /**
     * References as of at least everything committed before {@code issuedAt}, when the command was sent: a client
     * that got an answer for one write and then sends the next is decided against the first. The view is brought
     * up to date only when the decision actually looks something up.
     */
    Snapshot asOf(Instant issuedAt);

    /** References for one decision, and whether they could be brought up to date. */
    interface Snapshot extends References {
        /** True when a lookup needed the view to catch up and it could not in time: the command is not decided. */
        boolean unavailable();
    }
}
