package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ResourceRef;
import java.util.List;
import java.util.Optional;

/**
 * What the decision may know of other resources: whether a referenced one exists and is active, and which active
 * resources refer to one. The processor brings it up to date as of the moment the command was sent (see
 * {@code ReferenceIndex}).
 */
public interface References {

    /** {@code active} or {@code inactive}; empty when no such resource was ever created. */
    Optional<String> status(ResourceRef resource);

    /** Active resources of {@code kind} whose reference field {@code path} names {@code target}. */
    List<ResourceRef> referrers(ResourceRef target, String kind, String path);
}
