package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /metrics} of a service without callers of its own (the audit projector): with {@code admin.metrics-token}
 * set, everything but its health answers that bearer token only, compared as a digest in constant time; without one
 * it is open, as on the services with access control. The path is the container's decoded and normalized one, so
 * {@code /metrics;x}, {@code /%6Detrics} or {@code /health/../metrics} are not a way around it.
 */
public final class MetricsToken extends OncePerRequestFilter {

    private final byte[] digest;

    public MetricsToken(String token) {
        this.digest = token == null || token.isBlank() ? null : sha256(token);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return digest == null || path.equals("/health") || path.startsWith("/health/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(digest, sha256(header.substring(7).strip()))) {
            chain.doFilter(request, response);
            return;
        }
        JsonResponses.writeProblem(response, Problem.of("unauthorized", "Unauthorized", 401,
                "this service answers the metrics token only"), Map.of("WWW-Authenticate", "Bearer"));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
