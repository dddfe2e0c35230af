package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bearer authentication for {@code /api/**}. Without a configured admin token the API is disabled and answers 404,
 * as the seed admin APIs do; a missing or wrong token answers 401 with {@code WWW-Authenticate}.
 */
public final class BearerAuthFilter extends OncePerRequestFilter {

    /** The audit actor of the bootstrap admin token. */
    public static final String BOOTSTRAP_ACTOR = "admin";

    private final byte[] tokenDigest;

    public BearerAuthFilter(AuthSettings settings) {
        this.tokenDigest = settings.enabled() ? sha256(settings.token()) : null;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (tokenDigest == null) {
            write(response, Problem.of("not-found", "Not found", 404, "the admin API is disabled: no admin token is configured"));
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"admin\"");
            write(response, Problem.of("unauthorized", "Unauthorized", 401, "a bearer token is required"));
            return;
        }
        if (!MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).strip()))) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"admin\", error=\"invalid_token\"");
            write(response, Problem.of("unauthorized", "Unauthorized", 401, "the bearer token is not valid"));
            return;
        }
        request.setAttribute(Caller.ACTOR, BOOTSTRAP_ACTOR);
        chain.doFilter(request, response);
    }

    private static void write(HttpServletResponse response, Problem problem) throws IOException {
        response.setStatus(problem.status());
        response.setContentType(JsonResponses.PROBLEM_JSON.toString());
        response.getOutputStream().write(Envelopes.MAPPER.writeValueAsBytes(problem));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
