package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import tools.jackson.databind.node.ObjectNode;

/** A request to change one resource, stripped of its envelope. */
public sealed interface ResourceCommand {

    ResourceRef resource();

    /** Create a resource that has never existed under this name. */
    record CreateResource(ResourceRef resource, ObjectNode fields) implements ResourceCommand {
    }

    /** Set the given fields (others keep their value) on the version the caller expects. */
    record UpdateResource(ResourceRef resource, ExpectedVersion expected, ObjectNode fields) implements ResourceCommand {
    }
}
