package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.Problem.FieldError;
import dev.controlplane.schemas.ResourceRef;
import java.util.List;

/** Why a command was refused; turned into a problem document in one place ({@code Rejections}). */
public sealed interface Rejection {

    /** Names are unique for ever: an inactive resource must be reactivated, not created again. */
    record AlreadyExists(ResourceRef resource, String status) implements Rejection {
    }

    record NotFound(ResourceRef resource) implements Rejection {
    }

    record VersionMismatch(ResourceRef resource, ExpectedVersion expected, long current) implements Rejection {
    }

    record ImmutableField(String field) implements Rejection {
    }

    /** The kind cannot change after creation (clusters). */
    record NotMutable(ResourceRef resource) implements Rejection {
    }

    /** The document a patch would produce is not a valid resource of its kind. */
    record InvalidDocument(List<FieldError> errors) implements Rejection {
    }

    /** A field names a resource that does not exist, or that is inactive. */
    record BrokenReference(String field, ResourceRef target, boolean exists) implements Rejection {
    }

    /** Deactivating this resource would leave these active resources referring to it; {@code force} allows it. */
    record InUse(ResourceRef resource, List<ResourceRef> referrers) implements Rejection {
    }
}
