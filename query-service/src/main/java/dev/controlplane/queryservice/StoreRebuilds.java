package dev.controlplane.queryservice;

import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.queryservice.resources.ResourceReadModel;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Stores;
import dev.controlplane.schemas.Topics;
import java.util.List;

/** What rebuilds the query service's stores: the read model and the audit store, under their projectors' names. */
public final class StoreRebuilds {

    private StoreRebuilds() {
    }

    /** The read model, rebuilt from the events under the resource projector's name. */
    public static StoreRebuild.Target readModel(SqlStore live, String projector) {
        return StoreRebuild.Target.of(Stores.READ_MODEL, live, shadow -> List.of(new StoreRebuild.Feed<>(projector, Topics.EVENTS,
                Envelopes::readEvent, new ResourceReadModel(shadow)::apply)), shadow -> {
        });
    }

    /**
     * The audit store, rebuilt from the events under the audit projector's name; records keep their ids
     * (AuditStore.rebuilding), so an auditor's cursor from before the rebuild goes on after it. The records of failed
     * and denied calls are copied from the live store, with their projector's position: their topic keeps only days.
     */
    public static StoreRebuild.Target audit(SqlStore live, String eventsProjector, String securityProjector) {
        return StoreRebuild.Target.of(Stores.AUDIT, live,
                shadow -> List.of(new StoreRebuild.Feed<>(eventsProjector, Topics.EVENTS, Envelopes::readEvent,
                        AuditStore.rebuilding(shadow, live)::append)),
                shadow -> AuditStore.rebuilding(shadow, live).copySecurityRecords(),
                shadow -> {
                    AuditStore rebuilt = AuditStore.rebuilding(shadow, live);
                    rebuilt.copySecurityRecords();
                    new SqlStore.Checkpoint(securityProjector, Topics.SECURITY_EVENTS,
                            live.positions(securityProjector, Topics.SECURITY_EVENTS)).save(shadow);
                    rebuilt.placeStrays();
                });
    }
}
