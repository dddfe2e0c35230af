package dev.controlplane.httpsupport;

import dev.controlplane.schemas.RequestIds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Outermost filter of every HTTP service: gives the request its id (the caller's {@code X-Request-Id} when it is a
 * plain token, else a new one), answers with it, and keeps it in the logging context as {@code request_id} for every
 * line the request logs; authentication adds {@code actor} and the command gateway {@code command_id}. Each write is
 * logged once at INFO when it is answered, each read at DEBUG.
 */
public final class RequestLog extends OncePerRequestFilter {

    public static final String REQUEST_ID = "request_id";
    public static final String ACTOR = "actor";
    public static final String COMMAND_ID = "command_id";

    /** The request attribute holding the request's id. */
    static final String REQUEST_ID_ATTRIBUTE = RequestLog.class.getName() + ".requestId";

    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(RequestIds.HEADER);
        String requestId = RequestIds.plain(given) ? given : UUID.randomUUID().toString();
        request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        response.setHeader(RequestIds.HEADER, requestId);
        MDC.put(REQUEST_ID, requestId);
        long started = System.nanoTime();
        boolean failed = true;
        try {
            chain.doFilter(request, response);
            failed = false;
        } finally {
            boolean write = !request.getMethod().equals("GET") && !request.getMethod().equals("HEAD") && !request.getMethod().equals("OPTIONS");
            if (write ? LOG.isInfoEnabled() : LOG.isDebugEnabled()) {
                String line = "{} {} answered {} in {} ms";
                // An exception on its way out is answered 500 by the container, after this line.
                Object[] args = {request.getMethod(), request.getRequestURI(), failed ? 500 : response.getStatus(),
                        (System.nanoTime() - started) / 1_000_000};
                if (write) {
                    LOG.info(line, args);
                } else {
                    LOG.debug(line, args);
                }
            }
            MDC.remove(REQUEST_ID);
            MDC.remove(ACTOR);
            MDC.remove(COMMAND_ID);
        }
    }

    /** The id {@link RequestLog} gave this request (a new one when the request did not pass through it). */
    static String requestId(HttpServletRequest request) {
        return request.getAttribute(REQUEST_ID_ATTRIBUTE) instanceof String id ? id : UUID.randomUUID().toString();
    }
}
