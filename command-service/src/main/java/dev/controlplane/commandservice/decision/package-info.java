/**
 * Deciding commands: pure functions from a command and a resource's state to events or a rejection.
 * No Spring, Kafka or JDBC type may appear here (a test says so).
 */
package dev.controlplane.commandservice.decision;
