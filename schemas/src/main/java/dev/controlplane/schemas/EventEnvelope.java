package dev.controlplane.schemas;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * A fact about one resource, as it is kept forever on {@link Topics#EVENTS}.
 *
 * @param type     the stable wire name, {@code <kind>.<past tense>} (see {@link EventVerb})
 * @param schemaVersion the version of this type's form ({@link EventVersions}); after reading, always the current one
 * @param sequence the resource's version after this event: 1, 2, 3 … without gaps; the ETag
 * @param data     the resource after the change
 * @param changes  what changed: {@code {"field": {"from": …, "to": …}}}, or by JSON Pointer ({@link Changes})
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

    /** The audit action of this event: {@code tenant.create}, {@code tenant.deactivate}, … */
    public String action() {
        return resource.kind() + "." + EventVerb.fromType(type).action();
    }
}
