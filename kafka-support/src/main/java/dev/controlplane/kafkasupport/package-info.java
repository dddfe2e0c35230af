/** Kafka plumbing the services share: settings, topic provisioning, and the loop every projector runs on. */
package dev.controlplane.kafkasupport;
