package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ResourceRef;
import java.util.List;
import java.util.Optional;

/**
 * What the decision may know of other resources: whether a referenced one exists and is active, and which active
 * resources refer to one. It is a view of decided events, so it can lag the log by a moment (see the processor).
 */
public interface References {

    /** {@code active} or {@code inactive}; empty when no such resource was ever created. */
    Optional<String> status(ResourceRef resource);

    /** Active resources of {@code kind} whose reference field {@code path} names {@code target}. */
    List<ResourceRef> referrers(ResourceRef target, String kind, String path);

    /** For kinds without references, and for tests that do not involve any. */
    References NONE = new References() {
        @Override
        public Optional<String> status(ResourceRef resource) {
            return Optional.empty();
        }

        @Override
        public List<ResourceRef> referrers(ResourceRef target, String kind, String path) {
            return List.of();
        }
    };
}
