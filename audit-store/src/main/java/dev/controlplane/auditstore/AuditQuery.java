package dev.controlplane.auditstore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A filter over the audit log; every given part must hold (AND).
 *
 * @param actions       each {@code kind.verb} or a bare verb matching every kind; any of them may match (OR)
 * @param since         inclusive
 * @param until         exclusive
 * @param resourceKind  null for any
 * @param resourceName  null for any; only with a kind
 * @param afterId       the keyset position: records strictly after it in the chosen order; null from the start
 * @param hidden        resources left out, by kind: those of tenants outside the caller's realms
 */
public record AuditQuery(
        String actor,
        List<String> actions,
        Instant since,
        Instant until,
        String resourceKind,
        String resourceName,
        boolean ascending,
        int limit,
        Long afterId,
        Map<String, Set<String>> hidden) {

    public AuditQuery(String actor, List<String> actions, Instant since, Instant until, String resourceKind,
                      String resourceName, boolean ascending, int limit, Long afterId) {
        this(actor, actions, since, until, resourceKind, resourceName, ascending, limit, afterId, Map.of());
    }
}
