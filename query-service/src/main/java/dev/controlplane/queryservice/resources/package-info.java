/** The resource read model: projected from events (idempotent by sequence) and served with ETags and cursors. */
package dev.controlplane.queryservice.resources;
