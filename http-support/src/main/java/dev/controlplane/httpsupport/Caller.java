package dev.controlplane.httpsupport;

import dev.controlplane.schemas.RequestContext;
import jakarta.servlet.http.HttpServletRequest;

/** Who is calling and from where, as authentication established it (see the access-control module). */
public final class Caller {

    /** The request attribute holding the {@link CallerIdentity}. */
    public static final String IDENTITY = Caller.class.getName() + ".identity";

    private Caller() {
    }

    public static CallerIdentity identity(HttpServletRequest request) {
        Object identity = request.getAttribute(IDENTITY);
        if (!(identity instanceof CallerIdentity caller)) {
            throw new IllegalStateException("no authenticated caller on " + request.getRequestURI());
        }
        return caller;
    }

    /** The audit actor of this request: {@code kind:name}. */
    public static String actor(HttpServletRequest request) {
        return identity(request).identity();
    }

    public static RequestContext context(HttpServletRequest request) {
        String requestId = RequestLog.requestId(request);
        String userAgent = request.getHeader("User-Agent");
        if (userAgent != null && userAgent.length() > 256) {
            userAgent = userAgent.substring(0, 256);
        }
        return new RequestContext(requestId, request.getRemoteAddr(), userAgent);
    }
}
