package dev.controlplane.schemas;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * A fact about one resource, as it is kept forever on {@link Topics#EVENTS}.
 *
 * @param type     the stable wire name, {@code <kind>.<past tense>} (see {@link EventVerb})
 * @param sequence the resource's version after this event: 1, 2, 3 … without gaps; the ETag
 * @param data     the resource after the change
 * @param changes  what changed: {@code {"field": {"from": …, "to": …}}}
 */
public record EventEnvelope(
        UUID id,
        String type,
        int schemaVersion,
        ResourceRef resource,
        long sequence,
        UUID commandId,
        String actor,
        RequestContext request,
        Instant occurredAt,
        ObjectNode data,
        ObjectNode changes) {

    public static final int CURRENT_SCHEMA_VERSION = 1;

    /** The audit action of this event: {@code tenant.create}, {@code tenant.deactivate}, … */
    public String action() {
        return resource.kind() + "." + EventVerb.fromType(type).action();
    }
}
