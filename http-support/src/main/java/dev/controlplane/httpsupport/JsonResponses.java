package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Problem;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** Writes response bodies with the log's mapper, so the API and the log share one JSON shape (snake_case). */
public final class JsonResponses {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private JsonResponses() {
    }

    public static ResponseEntity<byte[]> json(int status, HttpHeaders headers, Object body) {
        return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_JSON)
                .body(Envelopes.MAPPER.writeValueAsBytes(body));
    }

    public static ResponseEntity<byte[]> problem(Problem problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.status()).headers(headers).contentType(PROBLEM_JSON)
                .body(Envelopes.MAPPER.writeValueAsBytes(problem));
    }

    /** Writes a problem document from a filter, where no controller advice reaches. */
    public static void writeProblem(jakarta.servlet.http.HttpServletResponse response, Problem problem, java.util.Map<String, String> headers)
            throws java.io.IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.status());
        headers.forEach(response::setHeader);
        response.setContentType(PROBLEM_JSON.toString());
        response.getOutputStream().write(dev.controlplane.schemas.Envelopes.MAPPER.writeValueAsBytes(problem));
        response.flushBuffer();
    }
}
