package dev.controlplane.standalone;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every client operation of a load run, Jepsen-style: what was invoked, then how it completed. {@code ok} is an
 * acknowledged write (or a read that answered), {@code fail} a definite refusal (nothing changed), {@code unknown} an
 * answer that does not say (a timeout, a 202, a 503 that may have been written, a connection cut mid-request).
 */
final class History {

    enum Kind { CREATE, PUT_EXACT, PUT_ANY, PATCH_EXACT, RETRY, READ }

    enum Completion { OK, FAIL, UNKNOWN }

    /**
     * @param expected      the If-Match version sent (null for *, create, read)
     * @param key           the Idempotency-Key sent, or null
     * @param status        the HTTP status, or 0 when no answer came
     * @param version       the version the answer named (ETag), or null
     * @param commandId     the answer's X-Command-Id (or its 202 body's id), or null
     * @param currentVersion a 412's current_version, or null
     * @param body          the answer's body, for comparing retries
     */
    record Operation(int client, Kind kind, String resource, Long expected, String key, String target, Instant invoked,
                     Instant completed, Completion completion, int status, Long version, String commandId,
                     Long currentVersion, String body) {
    }

    private final List<Operation> operations = new CopyOnWriteArrayList<>();

    void add(Operation operation) {
        operations.add(operation);
    }

    List<Operation> operations() {
        return List.copyOf(operations);
    }

    long count(Completion completion) {
        return operations.stream().filter(o -> o.completion() == completion).count();
    }
}
