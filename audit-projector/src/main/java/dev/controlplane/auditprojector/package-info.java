/** Appends one audit record per event to the append-only audit store. */
package dev.controlplane.auditprojector;
