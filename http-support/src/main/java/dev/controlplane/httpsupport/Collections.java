package dev.controlplane.httpsupport;

import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;

/** The resource kind an API path segment names; an unknown one is a 404 problem. */
public final class Collections {

    private Collections() {
    }

    public static ResourceKind kind(String collection) {
        return ResourceKinds.byCollection(collection)
                .orElseThrow(() -> ApiException.notFound("no such collection: " + collection));
    }
}
