package dev.controlplane.schemas;

/** Where a command came from, carried into its events and the audit trail. */
public record RequestContext(String requestId, String sourceIp, String userAgent) {
}
