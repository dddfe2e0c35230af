package dev.controlplane.httpsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** {@code /metrics} of the audit projector: the metrics token when one is set, anything else 401; open without one. */
class MetricsTokenTest {

    @Test
    void withATokenSet_metricsAnswersThatBearerTokenOnly() throws Exception {
        MetricsToken filter = new MetricsToken("scrape-me");
        assertThat(status(filter, "/metrics", "Bearer scrape-me")).isEqualTo(200);
        assertThat(status(filter, "/metrics", "bearer scrape-me")).isEqualTo(200);
        assertThat(status(filter, "/metrics", "Bearer scrape-mf")).isEqualTo(401);
        assertThat(status(filter, "/metrics", null)).isEqualTo(401);
        assertThat(status(filter, "/health", null)).isEqualTo(200);
        assertThat(status(filter, "/health/readiness", null)).isEqualTo(200);
        assertThat(status(filter, "/healthz", null)).isEqualTo(401);
        assertThat(status(filter, "/metrics/", null)).isEqualTo(401);
        MockHttpServletResponse refused = run(filter, "/metrics", "Basic c2NyYXBlLW1l");
        assertThat(refused.getContentType()).startsWith("application/problem+json");
        assertThat(refused.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void withoutAToken_metricsIsOpen() throws Exception {
        assertThat(status(new MetricsToken(""), "/metrics", null)).isEqualTo(200);
    }

    private static int status(MetricsToken filter, String path, String authorization) throws Exception {
        return run(filter, path, authorization).getStatus();
    }

    private static MockHttpServletResponse run(MetricsToken filter, String path, String authorization) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        // As the container gives it: decoded, normalized, without path parameters (the dispatcher servlet is at "/").
        request.setServletPath(path);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain());
        return response;
    }
}
