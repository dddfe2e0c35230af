package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A system with its abuse limits as an operator would run it: the failed-authentication lockout (5 failures,
 * here 3 s instead of 30 min), rate limits per access policy and from the configuration, remote management off,
 * a metrics token. It is a system of its own because a lockout of 127.0.0.1 would stop every other test.
 */
class GuardedSystemIT {

    private static final String METRICS_TOKEN = "metrics-" + java.util.UUID.randomUUID();
    private static Standalone system;

    @BeforeAll
    static void start() {
        system = TestSystem.withMainCluster(TestSystem.start(TestSystem.newDataDir(), "--admin.access.lockout=3s",
                "--admin.metrics-token=" + METRICS_TOKEN));
    }

    @AfterAll
    static void stop() {
        system.close();
    }

    private static Api from(String address) {
        try {
            return new Api(HttpClient.newBuilder().localAddress(InetAddress.getByName(address)).build(),
                    "http://127.0.0.1:" + system.port(), TestSystem.TOKEN);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fiveFailedAuthentications_lockTheAddressOut_withRetryAfter_untilTheLockoutEnds() {
        Api attacker = from("127.0.0.3");
        for (int i = 0; i < 5; i++) {
            assertThat(attacker.withToken("guess-" + i).get("/api/v1/tenants").status()).isEqualTo(401);
        }
        Api.Response locked = attacker.get("/api/v1/tenants");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.header("Retry-After")).isNotNull();
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 3);
        assertThat(locked.header("Content-Type")).startsWith("application/problem+json");
        assertThat(from("127.0.0.4").get("/api/v1/tenants").status()).as("another address").isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(attacker.get("/api/v1/tenants").status()).isEqualTo(200));
    }

    @Test
    void aPolicysRateLimit_answers429_withRetryAfterAndRateLimitHeaders() {
        Api admin = from("127.0.0.5");
        String policy = Callers.unique("limited");
        assertThat(admin.post("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"}],"
                + "\"scopes\":[\"tenants:read\"],\"rate_limit\":{\"requests_per_minute\":3}}").status()).isEqualTo(201);
        Api caller = admin.withToken(Callers.tokenOn(admin, policy).secret());

        for (int i = 0; i < 3; i++) {
            Api.Response ok = caller.get("/api/v1/tenants");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"caller\";q=3;w=60");
            assertThat(ok.header("RateLimit")).startsWith("\"caller\";r=" + (2 - i) + ";");
        }
        Api.Response limited = caller.get("/api/v1/tenants");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        assertThat(limited.header("RateLimit")).startsWith("\"caller\";r=0;");
        assertThat(limited.json().path("type").asString()).isEqualTo("/problems/rate-limited");
    }

    @Test
    void theConfigurationsRateLimit_appliesToEveryTokenWithoutOneOfItsOwn_butNeverToTheBootstrapToken() {
        Api admin = from("127.0.0.6");
        Callers.Token token = Callers.token(admin, "plugins:read");
        assertThat(admin.patch("/api/v1/config", "{\"rate_limits\":{\"requests_per_minute\":2}}", "If-Match", "*").status()).isIn(200, 201);
        try {
            Api caller = admin.withToken(token.secret());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(caller.get("/api/v1/plugins").status()).isEqualTo(429));
            for (int i = 0; i < 5; i++) {
                assertThat(admin.get("/api/v1/plugins").status()).isEqualTo(200);
            }
        } finally {
            assertThat(admin.patch("/api/v1/config", "{\"rate_limits\":null}", "If-Match", "*").status()).isEqualTo(200);
        }
    }

    @Test
    void aCallerFromAnotherMachine_gets403_whileRemoteManagementIsOff() {
        Optional<InetAddress> own = nonLoopbackAddress();
        assumeTrue(own.isPresent(), "this machine has no non-loopback IPv4 address to call from");
        Api remote = new Api(HttpClient.newHttpClient(), "http://" + own.get().getHostAddress() + ":" + system.port(), TestSystem.TOKEN);

        Api.Response refused = remote.get("/api/v1/tenants");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("type").asString()).isEqualTo("/problems/remote-management-disabled");
        assertThat(remote.withToken(METRICS_TOKEN).get("/metrics").status()).isEqualTo(403);
        assertThat(from("127.0.0.1").get("/api/v1/tenants").status()).isEqualTo(200);
    }

    @Test
    void metrics_needTheMetricsTokenOrMetricsRead_onceAMetricsTokenIsConfigured() {
        Api admin = from("127.0.0.7");
        assertThat(admin.withToken(null).get("/metrics").status()).isEqualTo(401);
        Api.Response scraped = admin.withToken(METRICS_TOKEN).get("/metrics");
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.body()).contains("http_server_requests_seconds_count");
        assertThat(admin.withToken(Callers.token(admin, "metrics:read").secret()).get("/metrics").status()).isEqualTo(200);
        assertThat(admin.withToken(Callers.token(admin, "tenants:read").secret()).get("/metrics").status()).isEqualTo(403);
        assertThat(admin.withToken(METRICS_TOKEN).get("/api/v1/tenants").status()).isEqualTo(403);
    }

    @Test
    void everyAnswer_saysWhichBuildAnsweredIt() {
        Api admin = from("127.0.0.8");
        for (Api.Response answer : new Api.Response[] {admin.get("/api/v1/tenants"), admin.withToken(null).get("/api/v1/tenants"),
                admin.get("/api/v1/no-such-thing"), admin.withToken(null).get("/health")}) {
            assertThat(answer.header("X-Admin-Version")).isNotBlank();
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(network -> {
                        try {
                            return network.isUp() && !network.isLoopback();
                        } catch (SocketException e) {
                            return false;
                        }
                    })
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                    .findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }
}
