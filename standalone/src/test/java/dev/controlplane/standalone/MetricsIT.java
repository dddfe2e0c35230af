package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} in Prometheus format, open while no metrics token is configured (GuardedSystemIT covers the
 * other case): HTTP latency by route and status, decisions by outcome, projection lag per projector, and
 * authentication failures.
 */
class MetricsIT {

    private final Standalone system = TestSystem.shared();
    private final Api admin = Api.of(system);

    @Test
    void metrics_showLatencyByRoute_decisionsByOutcome_projectionLag_andAuthenticationFailures() {
        String tenant = Callers.tenant(admin);
        admin.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        admin.withToken("wrong-token").get("/api/v1/tenants");
        admin.get("/api/v1/tenants/" + tenant + "?min_version=1");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Api.Response metrics = admin.withToken(null).get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.header("Content-Type")).startsWith("text/plain");
            String body = metrics.body();
            assertThat(body).containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*status=\"201\"[^}]*uri=\"/api/v1/\\{collection}\"");
            assertThat(body).containsPattern("admin_commands_decided_total\\{[^}]*kind=\"tenant\"[^}]*outcome=\"accepted\"");
            assertThat(body).containsPattern("admin_commands_decided_total\\{[^}]*outcome=\"rejected\"[^}]*status=\"409\"");
            assertThat(body).containsPattern("admin_projection_lag_seconds_count\\{[^}]*projector=\"query-service\"");
            assertThat(body).containsPattern("admin_projection_lag_seconds_count\\{[^}]*projector=\"audit-projector\"");
            assertThat(body).containsPattern("admin_auth_failures_total\\{[^}]*reason=\"invalid\"");
        });
    }
}
