package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Webhook deliveries end to end, checked by a real HTTP receiver with the official Standard Webhooks library:
 * signatures, the retry schedule, Retry-After, 410, rotation, the SSRF guard, the attempt log, redelivery and
 * recovery, and a dispatcher restart in the middle of a schedule.
 */
class WebhooksIT {

    private static final WebhookReceiver RECEIVER = new WebhookReceiver();

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @AfterAll
    static void deactivateSubscriptions_thenStopTheReceiver() {
        RECEIVER.deactivateSubscriptionsAndClose(Api.of(TestSystem.shared()));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Registers a webhook for {@code events} at a path of its own; returns its name, path and secret. */
    private record Hook(String name, String path, String secret) {
    }

    private Hook register(Api api, String... events) {
        String name = unique("hook");
        String path = "/" + name;
        StringBuilder filters = new StringBuilder();
        for (String event : events) {
            filters.append(filters.isEmpty() ? "" : ",").append('"').append(event).append('"');
        }
        Api.Response created = api.post("/api/v1/webhooks", "{\"name\":\"" + name + "\",\"url\":\"" + RECEIVER.url(path)
                + "\",\"events\":[" + filters + "],\"description\":\"test\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        if (api.base().equals(Api.of(TestSystem.shared()).base())) {
            RECEIVER.subscribed(name);
        }
        String secret = created.json().path("secret").asString();
        assertThat(secret).startsWith("whsec_");
        RECEIVER.script(path).secrets.add(secret);
        return new Hook(name, path, secret);
    }

    private String tenant() {
        String tenant = unique("wt");
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}").status()).isEqualTo(201);
        return tenant;
    }

    @Test
    void deliveries_areSignedAsStandardWebhooks_andOnlyForTheEventsAskedFor() {
        Hook hook = register(api, "tenant.created", "*.deactivated");
        String tenant = tenant();
        api.post("/api/v1/clusters", "{\"name\":\"" + unique("wc") + "\"}");
        api.put("/api/v1/tenants/" + tenant, "{\"display_name\":\"changed\"}", "If-Match", "*");
        api.put("/api/v1/tenants/" + tenant, "{\"status\":\"inactive\"}", "If-Match", "*");

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(RECEIVER.received(hook.path()))
                .extracting(r -> Envelopes.MAPPER.readTree(r.body()).path("type").asString())
                .containsExactlyInAnyOrder("tenant.created", "tenant.deactivated"));
        JsonNode first = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?limit=1").json();
        assertThat(first.path("items")).hasSize(1);
        JsonNode second = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?limit=1&cursor=" + first.path("next_cursor").asString()).json();
        assertThat(second.path("items")).hasSize(1);
        assertThat(second.path("items").get(0).path("id").asLong()).isLessThan(first.path("items").get(0).path("id").asLong());
        assertThat(second.path("next_cursor").isNull()).isTrue();
        assertThat(api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?since=" + Instant.now().plusSeconds(60)).json().path("items"))
                .isEmpty();
        for (WebhookReceiver.Received request : RECEIVER.received(hook.path())) {
            assertThat(request.verifiedWith()).as("verified by com.standardwebhooks").containsExactly(hook.secret());
            JsonNode body = Envelopes.MAPPER.readTree(request.body());
            assertThat(request.header("webhook-id")).isEqualTo(body.path("data").path("id").asString());
            assertThat(body.path("timestamp").asString()).isNotBlank();
            assertThat(body.path("data").path("resource").path("name").asString()).isEqualTo(tenant);
            assertThat(request.header("content-type")).startsWith("application/json");
        }
        for (String topic : List.of(Topics.COMMANDS, Topics.EVENTS, Topics.COMMAND_RESULTS)) {
            assertThat(LogProbe.read(system.bootstrapServers(), topic)).as(topic)
                    .noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(hook.secret().substring(6)));
        }
        assertThat(api.get("/api/v1/webhooks/" + hook.name()).body()).doesNotContain("secret_sealed").doesNotContain(hook.secret());
    }

    @Test
    void aReceiverThatFailsNTimes_getsExactlyNPlusOneAttempts_allLogged() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).failures = 3;
        tenant();

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            JsonNode delivery = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0);
            assertThat(delivery.path("status").asString()).isEqualTo("succeeded");
        });
        assertThat(RECEIVER.received(hook.path())).hasSize(4);
        assertThat(RECEIVER.received(hook.path())).extracting(r -> r.header("webhook-id")).containsOnly(
                RECEIVER.received(hook.path()).getFirst().header("webhook-id"));
        JsonNode delivery = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0);
        assertThat(delivery.path("attempt_count").asInt()).isEqualTo(4);
        assertThat(delivery.path("attempts")).extracting(a -> a.path("attempt").asInt() + ":" + a.path("status_code").asInt())
                .containsExactly("1:500", "2:500", "3:500", "4:200");
        assertThat(delivery.path("attempts").get(3).path("response_body").asString()).isEqualTo("{\"received\":true}");
        assertThat(delivery.path("attempts").get(0).path("latency_ms").isIntegralNumber()).isTrue();
        assertThat(api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?status=failed").json().path("items")).isEmpty();
        String metrics = api.withToken(null).get("/metrics").body();
        assertThat(metrics).containsPattern("admin_webhooks_attempts_total\\{[^}]*outcome=\"succeeded\"")
                .containsPattern("admin_webhooks_attempts_total\\{[^}]*outcome=\"failed\"");
    }

    @Test
    void aRedirect_isAFailure_andIsNotFollowed() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).failStatus = 302;
        RECEIVER.script(hook.path()).failures = 1;
        tenant();

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(
                api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0).path("attempts"))
                .extracting(a -> a.path("status_code").asInt()).containsExactly(302, 200));
        assertThat(RECEIVER.received(hook.path() + "/elsewhere")).isEmpty();
    }

    @Test
    void aStuckReceiver_costsOneAttemptTimeout_thenTheScheduleGoesOn() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).hangs = 1;
        tenant();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode delivery = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0);
            assertThat(delivery.path("status").asString()).isEqualTo("succeeded");
            JsonNode first = delivery.path("attempts").get(0);
            assertThat(first.path("error").asString()).containsIgnoringCase("timeout");
            assertThat(first.path("latency_ms").asLong()).isBetween(2_900L, 9_000L);
        });
    }

    @Test
    void retryAfter_isHonoured_overAShorterSchedule() {
        Hook hook = register(api, "tenant.created");
        WebhookReceiver.Script script = RECEIVER.script(hook.path());
        script.failStatus = 503;
        script.retryAfter = "2";
        script.failures = 1;
        tenant();

        await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.received(hook.path()).size() == 2);
        List<WebhookReceiver.Received> requests = RECEIVER.received(hook.path());
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void gone_disablesTheSubscription_andThatIsAnEventToo() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).failStatus = 410;
        RECEIVER.script(hook.path()).failures = 100;
        tenant();

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get("/api/v1/webhooks/" + hook.name()).json().path("status").asString()).isEqualTo("inactive"));
        assertThat(RECEIVER.received(hook.path())).hasSize(1);
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> assertThat(
                api.get("/api/v1/audit?resource=webhook/" + hook.name() + "&action=deactivate").json().path("items"))
                .singleElement().satisfies(record -> assertThat(record.path("actor").asString()).isEqualTo("webhook-dispatcher")));
    }

    @Test
    void aSubscriptionFailingWithoutASuccessForTooLong_isDisabled() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).failures = 1_000;
        tenant();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(
                api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?status=failed").json().path("items")).hasSize(1));
        assertThat(api.get("/api/v1/webhooks/" + hook.name()).json().path("status").asString()).isEqualTo("active");

        // Failing since the first attempt; once the configured time has passed, the next failure disables it.
        await().pollDelay(Duration.ofMillis(3_500)).atMost(Duration.ofSeconds(10)).until(() -> true);
        tenant();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get("/api/v1/webhooks/" + hook.name()).json().path("status").asString()).isEqualTo("inactive"));
    }

    @Test
    void rotatingTheSecret_keepsTheOldOneValidForTheOverlap_soDeliveriesCarryBothSignatures() {
        Hook hook = register(api, "tenant.created");
        Api.Response rotated = api.post("/api/v1/webhooks/" + hook.name() + "/rotate-secret", null, "If-Match", "\"1\"");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String next = rotated.json().path("secret").asString();
        assertThat(next).startsWith("whsec_").isNotEqualTo(hook.secret());
        assertThat(rotated.json().path("previous_secret_expires_at").asString()).isNotBlank();
        RECEIVER.script(hook.path()).secrets.add(next);
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").status() == 200
                && api.get("/api/v1/webhooks/" + hook.name() + "?min_version=2").status() == 200);
        tenant();

        await().atMost(Duration.ofSeconds(20)).until(() -> !RECEIVER.received(hook.path()).isEmpty());
        WebhookReceiver.Received request = RECEIVER.received(hook.path()).getLast();
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(request.verifiedWith()).containsExactlyInAnyOrder(hook.secret(), next);
    }

    @Test
    void theSsrfGuard_refusesPrivateTargets_atRegistrationAndOnChange() {
        for (String target : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::ffff:192.168.1.1]/",
                "http://0x0a000001/", "ftp://example.com/")) {
            Api.Response refused = api.post("/api/v1/webhooks", "{\"name\":\"" + unique("ssrf") + "\",\"url\":\"" + target
                    + "\",\"events\":[\"*\"]}");
            assertThat(refused.status()).as(target).isEqualTo(400);
            assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("/url");
        }
        Hook hook = register(api, "*");
        assertThat(api.patch("/api/v1/webhooks/" + hook.name(), "{\"url\":\"http://192.168.0.10/\"}", "If-Match", "*").status())
                .isEqualTo(400);
    }

    @Test
    void failedDeliveries_canBeRedeliveredOneByOne_orRecoveredSinceATime() {
        Hook hook = register(api, "tenant.created");
        RECEIVER.script(hook.path()).failures = 1_000;
        Instant before = Instant.now().minusSeconds(1);
        tenant();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(
                api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?status=failed").json().path("items")).hasSize(1));
        assertThat(RECEIVER.received(hook.path())).hasSize(6);

        RECEIVER.script(hook.path()).failures = 0;
        Api.Response recovered = api.post("/api/v1/webhooks/" + hook.name() + "/recover?since=" + before, null);
        assertThat(recovered.status()).isEqualTo(202);
        assertThat(recovered.json().path("recovered").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(
                api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?status=succeeded").json().path("items")).hasSize(1));

        long id = api.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0).path("id").asLong();
        assertThat(api.post("/api/v1/webhooks/" + hook.name() + "/deliveries/" + id + "/redeliver", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.received(hook.path()).size() == 8);
        assertThat(api.post("/api/v1/webhooks/" + hook.name() + "/deliveries/999999999/redeliver", null).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/webhooks/" + hook.name() + "/deliveries?status=sideways").status()).isEqualTo(400);
    }

    @Test
    void aRestartOfTheDispatcherInTheMiddleOfASchedule_losesNoDelivery() {
        Path dataDir = TestSystem.newDataDir();
        Hook hook;
        String schedule = "--admin.webhooks.retry-schedule=0s,3s";
        try (Standalone first = TestSystem.withMainCluster(TestSystem.start(dataDir, schedule, "--admin.webhooks.jitter=0"))) {
            Api firstApi = Api.of(first);
            hook = register(firstApi, "tenant.created");
            RECEIVER.script(hook.path()).failures = 1;
            firstApi.post("/api/v1/tenants", "{\"name\":\"" + unique("rt") + "\",\"cluster\":\"main\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.received(hook.path()).size() == 1);
        }
        assertThat(RECEIVER.received(hook.path())).hasSize(1);
        try (Standalone second = TestSystem.start(dataDir, schedule, "--admin.webhooks.jitter=0")) {
            Api secondApi = Api.of(second);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(
                    secondApi.get("/api/v1/webhooks/" + hook.name() + "/deliveries").json().path("items").get(0).path("status").asString())
                    .isEqualTo("succeeded"));
        }
        assertThat(RECEIVER.received(hook.path())).hasSize(2);
        assertThat(RECEIVER.received(hook.path()).get(1).verifiedWith()).containsExactly(hook.secret());
    }
}
