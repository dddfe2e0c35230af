package dev.controlplane.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document, as the processor records a rejection and as the API returns it.
 *
 * @param currentVersion set on version conflicts, so a client can re-read and retry
 * @param errors         one entry per invalid field of the request
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, Long currentVersion, List<FieldError> errors) {

    /** One invalid field: a JSON pointer-like path and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    public static Problem of(String slug, String title, int status, String detail) {
        return new Problem("/problems/" + slug, title, status, detail, null, null);
    }
}
