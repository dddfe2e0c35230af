package dev.controlplane.httpsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The filter's own rules; the live 401 behaviour is covered end to end in ResourceApiIT. */
class BearerAuthFilterTest {

    private static MockHttpServletResponse call(AuthSettings settings, String authorization) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/tenants");
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        new BearerAuthFilter(settings).doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void withoutAConfiguredToken_theAdminApiIsDisabled_andAnswers404() throws Exception {
        MockHttpServletResponse response = call(new AuthSettings(null, null), "Bearer anything");

        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
    }

    @Test
    void theRightToken_passes_andTheCallerIsTheBootstrapAdmin() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/tenants");
        request.addHeader("Authorization", "Bearer s3cret");
        MockHttpServletResponse response = new MockHttpServletResponse();
        new BearerAuthFilter(new AuthSettings("s3cret", null)).doFilter(request, response, new MockFilterChain());

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(Caller.actor(request)).isEqualTo(BearerAuthFilter.BOOTSTRAP_ACTOR);
    }

    @Test
    void aWrongOrMissingToken_answers401_withWwwAuthenticate() throws Exception {
        assertThat(call(new AuthSettings("s3cret", null), "Bearer nope").getStatus()).isEqualTo(401);
        MockHttpServletResponse missing = call(new AuthSettings("s3cret", null), null);
        assertThat(missing.getStatus()).isEqualTo(401);
        assertThat(missing.getHeader("WWW-Authenticate")).startsWith("Bearer");
    }
}
