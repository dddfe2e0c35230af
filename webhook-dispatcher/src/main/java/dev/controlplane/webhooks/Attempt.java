package dev.controlplane.webhooks;

/** One attempt as the attempt log shows it. */
record Attempt(int attempt, long atMs, Integer statusCode, long latencyMs, String responseBody, String error) {
}
