/** What this system is and how it is doing: product features, Kafka brokers and topics, consumer lag. */
package dev.controlplane.queryservice.system;
