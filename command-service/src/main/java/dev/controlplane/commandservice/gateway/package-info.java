/**
 * Sending commands and waiting for their results: one producer for commands, one consumer that reads every
 * result partition and completes the callers waiting for them, and a bounded memory of recent results.
 */
package dev.controlplane.commandservice.gateway;
