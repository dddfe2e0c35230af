package dev.controlplane.webhooks;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.webhooksupport.SecretBox;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/** The events the dispatcher's tests project: a subscription to every event, and the tenants it is told of. */
final class TestEvents {

    private TestEvents() {
    }

    /** An active subscription to every event, created at {@code createdAt} and told at {@code at}, its signing secret sealed with {@code key}. */
    static EventEnvelope subscription(String name, String url, String key, Instant createdAt, Instant at) {
        ObjectNode hook = Envelopes.MAPPER.createObjectNode().put("name", name).put("status", "active")
                .put("created_at", createdAt.toString()).put("url", url)
                .put(ResourceKind.SEALED_SECRET, new SecretBox(key).seal(SecretBox.newSigningSecret()));
        hook.putArray("events").add("*");
        return event("webhook.created", new ResourceRef("webhook", name), hook, at);
    }

    static EventEnvelope tenantCreated(String name, Instant at) {
        return event("tenant.created", new ResourceRef("tenant", name),
                Envelopes.MAPPER.createObjectNode().put("name", name).put("status", "active"), at);
    }

    static EventEnvelope event(String type, ResourceRef resource, ObjectNode data, Instant at) {
        return new EventEnvelope(UUID.randomUUID(), type, 1, resource, 1, UUID.randomUUID(), "admin",
                new RequestContext("r", "127.0.0.1", "test"), at, data, Envelopes.MAPPER.createObjectNode());
    }
}
