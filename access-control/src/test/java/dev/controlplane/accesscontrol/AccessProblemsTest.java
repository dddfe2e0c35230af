package dev.controlplane.accesscontrol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.kafkasupport.KafkaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;

/** How a caller that is not let in is answered: 503 while the directory is not current, 401 otherwise. */
class AccessProblemsTest {

    private final FailedAuthentications failures = new FailedAuthentications(() -> 5, Duration.ofMinutes(30), Duration.ofHours(2), Clock.systemUTC());
    private final AccessProblems problems = new AccessProblems(failures,
            new SecurityEvents(KafkaSettings.singleBroker("localhost:1", 1), Duration.ofMinutes(1), Clock.systemUTC()),
            new SimpleMeterRegistry());

    @Test
    void aDirectoryThatIsNotCurrent_answers503WithRetryAfter_throughTheResourceServersFailureHandler_andCountsNoFailure() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/tenants");
        request.addHeader("Authorization", "Bearer cpat_x");
        request.setRemoteAddr("127.0.0.1");
        MockHttpServletResponse response = new MockHttpServletResponse();

        // The handler BearerTokenAuthenticationFilter uses: it rethrows AuthenticationServiceException (a 500), so
        // the directory's exception must not be one.
        new AuthenticationEntryPointFailureHandler(problems).onAuthenticationFailure(request, response,
                new CallerDirectory.DirectoryNotCurrentException("loading"));

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(new CallerDirectory.DirectoryNotCurrentException("x")).isNotInstanceOf(AuthenticationServiceException.class);
        for (int i = 0; i < 10; i++) {
            problems.commence(request, new MockHttpServletResponse(), new CallerDirectory.DirectoryNotCurrentException("loading"));
        }
        assertThat(failures.lockedFor("127.0.0.1")).isZero();
    }

    @Test
    void aRefusedToken_answers401WithItsReason_andCountsTowardsTheLockout() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/tenants");
        request.addHeader("Authorization", "Bearer cpat_x");
        request.setRemoteAddr("127.0.0.2");
        MockHttpServletResponse response = new MockHttpServletResponse();

        problems.commence(request, response, new CallerRefusedException("token has expired", "token:ci"));

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getHeader("WWW-Authenticate")).contains("invalid_token");
        assertThat(response.getContentAsString()).contains("token has expired").doesNotContain("cpat_x");
        for (int i = 0; i < 4; i++) {
            problems.commence(request, new MockHttpServletResponse(), new CallerRefusedException("token has expired", "token:ci"));
        }
        assertThat(failures.lockedFor("127.0.0.2")).isPositive();
    }
}
