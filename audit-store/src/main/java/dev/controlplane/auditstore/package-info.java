/**
 * The append-only audit store: one record per event, never updated or deleted (the database refuses both),
 * queried by actor, action, time and resource with keyset pagination over the append position.
 */
package dev.controlplane.auditstore;
