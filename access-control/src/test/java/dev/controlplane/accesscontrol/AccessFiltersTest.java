package dev.controlplane.accesscontrol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Envelopes;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;

class AccessFiltersTest {

    private static MockHttpServletRequest request(String uri, String remoteAddr) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
        request.setRemoteAddr(remoteAddr);
        return request;
    }

    @Test
    void loopbackAddresses_areLoopback() {
        assertThat(AccessFilters.LoopbackOnly.loopback("127.0.0.1")).isTrue();
        assertThat(AccessFilters.LoopbackOnly.loopback("::1")).isTrue();
        assertThat(AccessFilters.LoopbackOnly.loopback("127.5.6.7")).isTrue();
    }

    @Test
    void otherAddresses_missingOnes_andNonAddresses_areNotLoopback() {
        assertThat(AccessFilters.LoopbackOnly.loopback("192.0.2.10")).isFalse();
        assertThat(AccessFilters.LoopbackOnly.loopback("10.0.0.1")).isFalse();
        assertThat(AccessFilters.LoopbackOnly.loopback(null)).isFalse();
        assertThat(AccessFilters.LoopbackOnly.loopback("not-an-address")).isFalse();
    }

    @Test
    void withoutRemoteManagement_aRemoteCaller_isRefusedWith403AndAProblem() throws ServletException, IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();

        new AccessFilters.LoopbackOnly(false).doFilter(request("/api/v1/tenants", "192.0.2.10"), response, chain);

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode problem = Envelopes.MAPPER.readTree(response.getContentAsString());
        assertThat(problem.path("status").asInt()).isEqualTo(403);
        assertThat(problem.path("type").asString()).isEqualTo("/problems/remote-management-disabled");
        assertThat(chain.getRequest()).as("the chain was not called").isNull();
    }

    @Test
    void withoutRemoteManagement_aLoopbackCaller_isPassedOn() throws ServletException, IOException {
        MockHttpServletRequest request = request("/api/v1/tenants", "127.0.0.1");
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();

        new AccessFilters.LoopbackOnly(false).doFilter(request, response, chain);

        assertThat(chain.getRequest()).isSameAs(request);
        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void withoutRemoteManagement_healthIsStillServedToRemoteCallers() throws ServletException, IOException {
        MockHttpServletRequest request = request("/health", "192.0.2.10");
        MockFilterChain chain = new MockFilterChain();

        new AccessFilters.LoopbackOnly(false).doFilter(request, new MockHttpServletResponse(), chain);

        assertThat(chain.getRequest()).isSameAs(request);
    }

    @Test
    void withRemoteManagement_aRemoteCaller_isPassedOn() throws ServletException, IOException {
        MockHttpServletRequest request = request("/api/v1/tenants", "192.0.2.10");
        MockFilterChain chain = new MockFilterChain();

        new AccessFilters.LoopbackOnly(true).doFilter(request, new MockHttpServletResponse(), chain);

        assertThat(chain.getRequest()).isSameAs(request);
    }
}
