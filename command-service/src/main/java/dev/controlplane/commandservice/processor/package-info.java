/**
 * The single writer: a Kafka Streams processor that owns the command partitions it is assigned, keeps each
 * resource's state in a persistent store backed by a compacted changelog, and writes events, the result and its
 * offsets in one transaction (exactly-once v2), many commands per transaction.
 */
package dev.controlplane.commandservice.processor;
