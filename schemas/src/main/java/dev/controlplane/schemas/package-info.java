/**
 * The contract every service shares: envelopes on the log, topic names, resource kinds and their schemas.
 * Plain Java and Jackson only, so that any service (or a tool outside this repository) can read the log.
 */
package dev.controlplane.schemas;
