/** The all-in-one launcher: an embedded broker and every service in one JVM. Holds only main and configuration. */
package dev.controlplane.standalone;
