/** Audit and compliance queries over the append-only audit store. */
package dev.controlplane.queryservice.audit;
