package dev.controlplane.httpsupport;

import dev.controlplane.schemas.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;

/** Who is calling and from where, as established by {@link BearerAuthFilter}. */
public final class Caller {

    static final String ACTOR = Caller.class.getName() + ".actor";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private Caller() {
    }

    public static String actor(HttpServletRequest request) {
        Object actor = request.getAttribute(ACTOR);
        if (actor == null) {
            throw new IllegalStateException("no authenticated caller on " + request.getRequestURI());
        }
        return (String) actor;
    }

    public static RequestContext context(HttpServletRequest request) {
        String requestId = request.getHeader(REQUEST_ID_HEADER);
        if (requestId == null || requestId.isBlank() || requestId.length() > 128) {
            requestId = UUID.randomUUID().toString();
        }
        String userAgent = request.getHeader("User-Agent");
        if (userAgent != null && userAgent.length() > 256) {
            userAgent = userAgent.substring(0, 256);
        }
        return new RequestContext(requestId, request.getRemoteAddr(), userAgent);
    }
}
