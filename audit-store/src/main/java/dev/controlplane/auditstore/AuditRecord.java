package dev.controlplane.auditstore;

import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One audited change.
 *
 * @param id      the record's position in the audit log; newer records have higher ids
 * @param version the resource's version after the change
 * @param changes {@code {"field": {"from": …, "to": …}}}
 */
public record AuditRecord(
        long id,
        String eventId,
        Instant occurredAt,
        String actor,
        String action,
        ResourceRef resource,
        long version,
        String commandId,
        RequestContext request,
        JsonNode changes) {
}
