package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;

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
}
