package dev.controlplane.commandservice.decision;

import dev.controlplane.schemas.ResourceRef;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the single writer knows of one resource: its version and its document.
 *
 * @param sequence 0 before the resource exists
 * @param data     null before the resource exists
 * @param unborn   true for the empty version 0 of a single-document kind, which its first write creates
 */
public record ResourceState(ResourceRef resource, long sequence, ObjectNode data, boolean unborn) {

    public ResourceState(ResourceRef resource, long sequence, ObjectNode data) {
        this(resource, sequence, data, false);
    }

    public static ResourceState initial(ResourceRef resource) {
        return new ResourceState(resource, 0, null);
    }

    public boolean exists() {
        return data != null;
    }

    public String status() {
        return exists() ? data.path("status").asString() : null;
    }
}
