package dev.controlplane.commandservice.processor;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the processor's store keeps per resource: its version, its document, and the commands accepted on it
 * recently, so that a retried command is answered from its first decision instead of being decided again.
 */
record StoredResource(long sequence, ObjectNode data, List<RecentCommand> recent) {

    /** How many accepted commands per resource are remembered for idempotent retries. */
    static final int RECENT_LIMIT = 32;

    record RecentCommand(UUID commandId, String requestHash, String commandType, long version, ObjectNode data,
                         Instant decidedAt) {
    }
}
