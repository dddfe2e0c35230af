package dev.controlplane.schemas;

import java.util.List;

/** The stores projected from the log, by the names their migrations, schemas and rebuilds go by. */
public final class Stores {

    public static final String READ_MODEL = "read-model";
    public static final String AUDIT = "audit";
    public static final String WEBHOOKS = "webhooks";

    /** What {@code POST /api/v1/rebuilds/{store}} rebuilds. */
    public static final List<String> REBUILDABLE = List.of(READ_MODEL, AUDIT, WEBHOOKS);

    private Stores() {
    }
}
