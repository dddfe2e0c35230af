package dev.controlplane.commandservice.processor;

import tools.jackson.databind.node.ObjectNode;

/**
 * What the processor's store keeps per resource: its version and its document, nothing that grows with its history
 * (the outcomes retries are answered from live in their own store, by idempotency key, for a fixed time).
 */
record StoredResource(long sequence, ObjectNode data) {
}
