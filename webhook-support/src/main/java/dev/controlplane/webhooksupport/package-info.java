/** What registering and delivering webhooks share: the SSRF guard on targets, and signing secrets sealed at rest. */
package dev.controlplane.webhooksupport;
