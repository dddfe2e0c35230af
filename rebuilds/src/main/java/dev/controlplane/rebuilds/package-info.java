/** {@code /api/v1/rebuilds/{store}}: an operator rebuilds a store of this service from the log while it serves. */
package dev.controlplane.rebuilds;
