package dev.controlplane.commandservice.processor;

import dev.controlplane.commandservice.decision.Rejection;
import dev.controlplane.schemas.Problem;
import java.util.List;

/** Turns decision rejections into the problem documents recorded as command results. */
final class Rejections {

    private Rejections() {
    }

    static Problem toProblem(Rejection rejection) {
        return switch (rejection) {
            case Rejection.AlreadyExists r -> Problem.of("already-exists", "Already exists", 409,
                    r.resource().kind() + " " + r.resource().name() + " already exists (status " + r.status()
                            + "); names are never reused: reactivate it with PUT and \"status\": \"active\"");
            case Rejection.NotFound r -> Problem.of("not-found", "Not found", 404,
                    r.resource().kind() + " " + r.resource().name() + " does not exist");
            case Rejection.VersionMismatch r -> new Problem("/problems/version-mismatch", "Precondition failed", 412,
                    "If-Match names version " + r.expected().sequence() + " but the current version is " + r.current(),
                    r.current(), null);
            case Rejection.ImmutableField r -> new Problem("/problems/invalid-request", "Invalid request", 400,
                    r.field() + " cannot be changed", null, List.of(new Problem.FieldError("/" + r.field(), "cannot be changed")));
        };
    }

    static Problem invalidCommand(String detail) {
        return Problem.of("invalid-command", "Invalid command", 400, detail);
    }

    static Problem idempotencyKeyReused() {
        return Problem.of("idempotency-key-reused", "Idempotency key reused", 422,
                "this Idempotency-Key was already used for a different request");
    }
}
