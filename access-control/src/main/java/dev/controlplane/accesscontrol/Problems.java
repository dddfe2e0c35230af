package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.schemas.Problem;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Writes a problem document from a filter, where no controller advice reaches. */
final class Problems {

    private Problems() {
    }

    static void write(HttpServletResponse response, Problem problem, Map<String, String> headers) throws IOException {
        JsonResponses.writeProblem(response, problem, headers);
    }

    /** {@code GET /api/v1/tenants}: what an audit record says was called. */
    static String endpoint(jakarta.servlet.http.HttpServletRequest request) {
        String path = request.getRequestURI();
        return request.getMethod() + " " + (path.length() > 200 ? path.substring(0, 200) : path);
    }
}
