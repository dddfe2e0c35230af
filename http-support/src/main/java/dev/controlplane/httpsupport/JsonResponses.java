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
}
