package dev.controlplane.commandservice.processor;

import dev.controlplane.commandservice.decision.Rejection;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.ResourceRef;
import java.util.List;
import java.util.stream.Collectors;

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
            case Rejection.NotMutable r -> Problem.of("immutable-resource", "Method not allowed", 405,
                    r.resource().kind() + " resources cannot change after creation");
            case Rejection.InvalidDocument r -> new Problem("/problems/invalid-request", "Invalid request", 400,
                    "the patched " + "resource would be invalid: " + r.errors().stream()
                            .map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")), null, r.errors());
            case Rejection.BrokenReference r -> new Problem("/problems/broken-reference", "Broken reference", 422,
                    r.field() + " names " + r.target().kind() + " " + r.target().name()
                            + (r.exists() ? ", which is inactive" : ", which does not exist"),
                    null, List.of(new Problem.FieldError(r.field(), (r.exists() ? "names an inactive " : "names no existing ")
                    + r.target().kind() + ": " + r.target().name())));
            case Rejection.InUse r -> Problem.of("in-use", "In use", 409,
                    r.resource().kind() + " " + r.resource().name() + " is still referred to by active "
                            + describe(r.referrers()) + "; change those first, or deactivate with force=true");
        };
    }

    private static String describe(List<ResourceRef> referrers) {
        int shown = Math.min(referrers.size(), 20);
        String names = referrers.subList(0, shown).stream().map(r -> r.kind() + " " + r.name()).collect(Collectors.joining(", "));
        return referrers.size() > shown ? names + " and " + (referrers.size() - shown) + " more" : names;
    }

    static Problem referencesUnavailable() {
        return Problem.of("unavailable", "Service unavailable", 503,
                "the resources this command refers to could not be checked in time; nothing was changed, retry");
    }

    static Problem invalidCommand(String detail) {
        return Problem.of("invalid-command", "Invalid command", 400, detail);
    }

    static Problem idempotencyKeyReused(String firstType, String firstResource) {
        return Problem.of("idempotency-key-reused", "Idempotency key reused", 422,
                "this Idempotency-Key was already used for a different request (" + firstType + " on " + firstResource
                        + "); nothing was changed");
    }

    static Problem idempotencyOutcomeExpired() {
        return Problem.of("idempotency-key-expired", "Idempotency key expired", 422,
                "the outcome of the first request with this Idempotency-Key is no longer kept; nothing was changed");
    }

    static Problem tooLarge(long bytes, long limit) {
        return Problem.of("too-large", "Content too large", 413, "the resource would take " + bytes
                + " bytes in the log, over the limit of " + limit + " (admin.processor.max-record-bytes); nothing was changed");
    }

    static Problem undecidable() {
        return Problem.of("undecidable", "Command not decided", 500,
                "the command could not be decided; nothing was changed, and the processor went on with the next one");
    }
}
