package dev.controlplane.accesscontrol;

import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.schemas.access.AccessRules;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * The answers to a caller that is not let in, as problem documents: 401 (with {@code WWW-Authenticate}) for a
 * missing or refused credential, 503 while the directory of callers is not current, 403 naming the scope a call
 * needs. Each refused credential counts towards the address's lockout, and refusals and denials are audited.
 */
final class AccessProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final FailedAuthentications failures;
    private final SecurityEvents events;
    private final MeterRegistry meters;

    AccessProblems(FailedAuthentications failures, SecurityEvents events, MeterRegistry meters) {
        this.failures = failures;
        this.events = events;
        this.meters = meters;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        if (failure instanceof CallerDirectory.DirectoryNotCurrentException) {
            Problems.write(response, Problem.of("unavailable", "Service unavailable", 503,
                    "who may call cannot be decided yet (the directory of callers is catching up with the log); retry"),
                    Map.of("Retry-After", "1"));
            return;
        }
        String header = request.getHeader("Authorization");
        boolean presented = header != null && !header.isBlank();
        if (!presented) {
            Problems.write(response, Problem.of("unauthorized", "Unauthorized", 401, "a bearer token is required"),
                    Map.of("WWW-Authenticate", "Bearer realm=\"admin\""));
            return;
        }
        String reason = failure instanceof CallerRefusedException refused ? refused.getMessage()
                : failure instanceof InvalidBearerTokenException invalid ? "the JWT is not valid: " + truncated(invalid.getMessage())
                : "the bearer token is not valid";
        String actor = failure instanceof CallerRefusedException refused ? refused.presented() : "anonymous";
        failures.failed(request.getRemoteAddr());
        events.record(SecurityEvent.FAILED, request.getRemoteAddr(), actor, reason, Problems.endpoint(request));
        meters.counter("admin.auth.failures", "reason", metricReason(reason)).increment();
        Problems.write(response, Problem.of("unauthorized", "Unauthorized", 401, reason),
                Map.of("WWW-Authenticate", "Bearer realm=\"admin\", error=\"invalid_token\""));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied) throws IOException {
        Object rule = request.getAttribute(RouteAuthorization.DENIED_RULE);
        String detail = rule instanceof AccessRules.Scoped scoped
                ? "this call needs the scope " + scoped.scope() + " (or one of " + String.join(", ", scoped.grants().subList(1, scoped.grants().size())) + ")"
                : "this call is not allowed";
        String actor = SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication caller
                ? caller.caller().identity() : "anonymous";
        events.record(SecurityEvent.DENIED, request.getRemoteAddr(), actor, detail, Problems.endpoint(request));
        meters.counter("admin.auth.denials").increment();
        Problem problem = new Problem("/problems/forbidden", "Forbidden", 403, detail, null, null);
        Problems.write(response, problem, rule instanceof AccessRules.Scoped scoped ? Map.of("X-Required-Scope", scoped.scope()) : Map.of());
    }

    private static String truncated(String message) {
        String text = message == null ? "rejected" : message.replaceAll("[\\r\\n]", " ");
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    /** Few, fixed label values: a reason quoting user input would make a metric per attacker. */
    private static String metricReason(String reason) {
        if (reason.contains("malformed")) {
            return "malformed";
        }
        if (reason.contains("deactivated") || reason.contains("not active") || reason.contains("expired")) {
            return "revoked";
        }
        if (reason.startsWith("the JWT")) {
            return "jwt";
        }
        if (reason.contains("no such token") || reason.contains("not an active user")) {
            return "unknown";
        }
        return "invalid";
    }
}
