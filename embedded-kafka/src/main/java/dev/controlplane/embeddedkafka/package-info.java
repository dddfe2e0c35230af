/** A real single-node Kafka broker in KRaft mode (broker and controller roles), run inside this JVM. */
package dev.controlplane.embeddedkafka;
