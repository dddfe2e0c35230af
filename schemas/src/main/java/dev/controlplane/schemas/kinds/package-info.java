/**
 * Resource kinds: for each, its name, its API collection and the schema of the fields a client may set.
 * Adding a kind means adding one {@link dev.controlplane.schemas.kinds.ResourceKind} to
 * {@link dev.controlplane.schemas.kinds.ResourceKinds}; the pipeline around it is generic.
 */
package dev.controlplane.schemas.kinds;
