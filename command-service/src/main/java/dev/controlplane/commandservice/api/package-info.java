/** The write side of the REST API: one generic controller for every resource kind, and command status. */
package dev.controlplane.commandservice.api;
