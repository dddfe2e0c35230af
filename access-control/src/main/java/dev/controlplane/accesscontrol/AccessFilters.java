package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.Caller;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.Product;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/** The small filters around authentication, in the order the chain runs them. */
final class AccessFilters {

    static final String VERSION_HEADER = "X-Admin-Version";

    private AccessFilters() {
    }

    /** The path as Spring MVC matches routes: decoded and normalized, within the application. */
    static String path(HttpServletRequest request) {
        return UrlPathHelper.defaultInstance.getPathWithinApplication(request);
    }

    /** Every response says which build answered it (seed 003's build headers). */
    static final class Version extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            response.setHeader(VERSION_HEADER, Product.version());
            chain.doFilter(request, response);
        }
    }

    /** Without remote management only loopback callers reach the API and the metrics; others get 403. */
    static final class LoopbackOnly extends OncePerRequestFilter {
        private final boolean allowRemote;

        LoopbackOnly(boolean allowRemote) {
            this.allowRemote = allowRemote;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return allowRemote || path(request).startsWith("/health");
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (!loopback(request.getRemoteAddr())) {
                Problems.write(response, Problem.of("remote-management-disabled", "Forbidden", 403,
                        "remote management is off: only callers on this machine are served (set ADMIN_ALLOW_REMOTE=true)"), Map.of());
                return;
            }
            chain.doFilter(request, response);
        }

        static boolean loopback(String address) {
            try {
                // A literal address: getByName does not resolve it.
                return address != null && InetAddress.getByName(address).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /** With no way to authenticate configured, the admin API is disabled and answers 404, as the seeds do. */
    static final class Disabled extends OncePerRequestFilter {
        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !path(request).startsWith("/api/");
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws IOException {
            Problems.write(response, Problem.of("not-found", "Not found", 404,
                    "the admin API is disabled: no admin token or identity provider is configured"), Map.of());
        }
    }

    /** An address with too many failed authentications is refused (429) until its lockout ends. */
    static final class Lockout extends OncePerRequestFilter {
        private final FailedAuthentications failures;

        Lockout(FailedAuthentications failures) {
            this.failures = failures;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return path(request).startsWith("/health");
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Duration locked = failures.lockedFor(request.getRemoteAddr());
            if (!locked.isZero()) {
                Problems.write(response, Problem.of("too-many-failed-authentications", "Too many requests", 429,
                                "too many failed authentications from this address; try again later"),
                        Map.of("Retry-After", String.valueOf(Math.max(1, locked.toSeconds()))));
                return;
            }
            chain.doFilter(request, response);
        }
    }

    /**
     * After authentication: makes the caller known to the controllers ({@link Caller}) and applies its rate limit
     * (its access policy's, else the configuration's {@code rate_limits.requests_per_minute}; none by default),
     * with Bucket4j token buckets per caller. Answers carry the {@code RateLimit} headers of the IETF draft.
     */
    static final class Callers extends OncePerRequestFilter {
        private record Limit(String caller, int perMinute) {
        }

        private final CallerDirectory directory;
        private final Map<Limit, Bucket> buckets = new ConcurrentHashMap<>();

        Callers(CallerDirectory directory) {
            this.directory = directory;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof CallerAuthentication caller) {
                CallerIdentity identity = caller.caller();
                request.setAttribute(Caller.IDENTITY, identity);
                org.slf4j.MDC.put(dev.controlplane.httpsupport.RequestLog.ACTOR, identity.identity());
                // The configured default applies to tokens and users, never to the bootstrap token: an operator
                // must not be able to lock themselves out with a configuration change.
                Integer perMinute = identity.requestsPerMinute() != null ? identity.requestsPerMinute()
                        : identity.kind().equals("bootstrap") ? null : directory.limits().requestsPerMinute();
                if (perMinute != null && !withinLimit(identity, perMinute, response)) {
                    return;
                }
            }
            chain.doFilter(request, response);
        }

        private boolean withinLimit(CallerIdentity identity, int perMinute, HttpServletResponse response) throws IOException {
            if (buckets.size() > 100_000) {
                buckets.clear();
            }
            Bucket bucket = buckets.computeIfAbsent(new Limit(identity.identity(), perMinute), limit -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                    .build());
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            long reset = Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
            response.setHeader("RateLimit-Policy", "\"caller\";q=" + perMinute + ";w=60");
            response.setHeader("RateLimit", "\"caller\";r=" + probe.getRemainingTokens() + ";t=" + (probe.isConsumed() ? 0 : reset));
            if (probe.isConsumed()) {
                return true;
            }
            Problems.write(response, Problem.of("rate-limited", "Too many requests", 429, identity.identity() + " may make "
                    + perMinute + " requests a minute"), Map.of("Retry-After", String.valueOf(reset)));
            return false;
        }
    }
}
