package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Problem;
import java.util.List;
import java.util.Map;

/** A request that cannot be served, carrying the problem document to answer with and any extra headers. */
public final class ApiException extends RuntimeException {

    private final Problem problem;
    private final Map<String, String> headers;

    public ApiException(Problem problem) {
        this(problem, Map.of());
    }

    public ApiException(Problem problem, Map<String, String> headers) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = headers;
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(Problem.of("bad-request", "Bad request", 400, detail));
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(new Problem("/problems/invalid-request", "Invalid request", 400,
                field + " " + message, null, List.of(new Problem.FieldError(field, message))));
    }

    public static ApiException notFound(String detail) {
        return new ApiException(Problem.of("not-found", "Not found", 404, detail));
    }
}
