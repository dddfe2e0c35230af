package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** The one place failures become RFC 9457 problem documents; no stack trace ever reaches a client. */
@RestControllerAdvice
public class ProblemResponses {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<byte[]> api(ApiException e) {
        HttpHeaders headers = new HttpHeaders();
        e.headers().forEach(headers::add);
        return JsonResponses.problem(e.problem(), headers);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<byte[]> noRoute(NoResourceFoundException e) {
        return JsonResponses.problem(Problem.of("not-found", "Not found", 404, "no such endpoint: /" + e.getResourcePath()), new HttpHeaders());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        HttpHeaders headers = new HttpHeaders();
        if (e.getSupportedHttpMethods() != null) {
            headers.setAllow(e.getSupportedHttpMethods());
        }
        return JsonResponses.problem(Problem.of("method-not-allowed", "Method not allowed", 405,
                e.getMethod() + " is not supported here"), headers);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e) {
        return JsonResponses.problem(Problem.of("unsupported-media-type", "Unsupported media type", 415,
                "send application/json"), new HttpHeaders());
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class,
            HttpMessageNotReadableException.class})
    ResponseEntity<byte[]> badParameter(Exception e) {
        String detail = e instanceof MethodArgumentTypeMismatchException m
                ? "parameter " + m.getName() + " has an invalid value"
                : e instanceof MissingServletRequestParameterException m
                        ? "parameter " + m.getParameterName() + " is required"
                        : "the request could not be read";
        return JsonResponses.problem(Problem.of("bad-request", "Bad request", 400, detail), new HttpHeaders());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e) {
        log.error("unexpected failure serving a request", e);
        return JsonResponses.problem(Problem.of("internal-error", "Internal error", 500,
                "the request failed unexpectedly; it has been logged"), new HttpHeaders());
    }
}
