package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import tools.jackson.databind.node.ObjectNode;

/** A request to change one resource, stripped of its envelope. */
public sealed interface ResourceCommand {

    ResourceRef resource();

    /** Create a resource that has never existed under this name; {@code actor} becomes its {@code created_by}. */
    record CreateResource(ResourceRef resource, ObjectNode fields, String actor) implements ResourceCommand {
    }

    /**
     * Set the given fields (others keep their value) on the version the caller expects. {@code force} allows a
     * deactivation that would leave other resources referring to an inactive one.
     */
    record UpdateResource(ResourceRef resource, ExpectedVersion expected, ObjectNode fields, boolean force)
            implements ResourceCommand {
    }

    /** What a {@link ChangeItem} does to one item of a kind's item list. */
    enum ItemChange { ADD, PATCH, REMOVE }

    /**
     * Add, merge-patch or remove one named item of a single-document kind's item list (an API key), on the version
     * the caller expects. {@code value} is the new item (ADD), the merge patch (PATCH) or null (REMOVE).
     */
    record ChangeItem(ResourceRef resource, ExpectedVersion expected, ItemChange change, String item, ObjectNode value)
            implements ResourceCommand {
    }

    /** Apply a JSON merge patch (RFC 7396) to the version the caller expects; {@code null} removes a field. */
    record PatchResource(ResourceRef resource, ExpectedVersion expected, ObjectNode patch, boolean force)
            implements ResourceCommand {
    }
}
