package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.kafkasupport.Services;
import dev.controlplane.queryservice.QueryServiceApplication;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The API's own tokens, policies and realms are its access control: a token's rights are its policy's scopes and
 * realms, a revoked one is refused everywhere within a second, a caller cannot reach another tenant's resources or
 * hand out more than it has, and every call is audited as the caller that made it.
 */
class AccessControlIT {

    private final Standalone system = TestSystem.shared();
    private final Api admin = Api.of(system);

    @Test
    void anApiToken_authenticatesWithItsPolicysScopes_andItsWritesAreAuditedAsTheToken() {
        Callers.Token token = Callers.token(admin, "tenants:read", "tenants:create", "tenants:write");
        Api caller = admin.withToken(token.secret());
        String tenant = Callers.unique("ten");

        assertThat(caller.get("/api/v1/tenants").status()).isEqualTo(200);
        Api.Response created = caller.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("created_by").asString()).isEqualTo(token.actor());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode records = admin.get("/api/v1/audit?resource=tenant/" + tenant).json().path("items");
            assertThat(records).hasSize(1);
            assertThat(records.get(0).path("actor").asString()).isEqualTo(token.actor());
        });
        assertThat(admin.get("/api/v1/audit?actor=" + token.actor()).json().path("items")).hasSize(1);
    }

    @Test
    void aCallerWithoutTheScope_gets403_namingTheScopeItNeeds() {
        Callers.Token reader = Callers.token(admin, "tenants:read");
        Api.Response denied = admin.withToken(reader.secret()).post("/api/v1/tenants", "{\"name\":\"nope-x\",\"cluster\":\"main\"}");

        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.header("Content-Type")).startsWith("application/problem+json");
        assertThat(denied.json().path("detail").asString()).contains("tenants:create");
        assertThat(denied.header("X-Required-Scope")).isEqualTo("tenants:create");
        assertThat(admin.withToken(reader.secret()).get("/api/v1/audit").status()).isEqualTo(403);
        assertThat(admin.withToken(reader.secret()).get("/api/v1/users").status()).isEqualTo(403);
    }

    @Test
    void whoami_saysWhoTheCallerIs_itsKindScopesRealmsAndExpiry() {
        String tenant = Callers.tenant(admin);
        String policy = Callers.unique("pol");
        assertThat(admin.post("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[{\"tenant\":\"" + tenant
                + "\",\"cluster\":\"main\"}],\"scopes\":[\"tenants:read\",\"audit:read\"]}").status()).isEqualTo(201);
        String name = Callers.unique("tok");
        Api.Response created = admin.post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"access_policy\":\"" + policy
                + "\",\"expiration\":\"2099-01-01T00:00:00Z\"}");

        JsonNode me = admin.withToken(created.json().path("token").asString()).get("/api/v1/whoami").json();
        assertThat(me.path("identity").asString()).isEqualTo("token:" + name);
        assertThat(me.path("kind").asString()).isEqualTo("token");
        assertThat(me.path("scopes")).extracting(JsonNode::asString).containsExactly("audit:read", "tenants:read");
        assertThat(me.path("realms")).extracting(JsonNode::asString).containsExactly(tenant);
        assertThat(me.path("expires_at").asString()).isEqualTo("2099-01-01T00:00:00Z");

        JsonNode bootstrap = admin.get("/api/v1/whoami").json();
        assertThat(bootstrap.path("identity").asString()).isEqualTo("bootstrap:admin");
        assertThat(bootstrap.path("scopes")).extracting(JsonNode::asString).containsExactly("admin");
        assertThat(bootstrap.path("realms")).extracting(JsonNode::asString).containsExactly("*");
    }

    @Test
    void aTokenThatIsExpired_mistyped_unknown_orWhosePolicyIsInactive_isRefused() {
        String policy = Callers.token(admin, "tenants:read").policy();
        String expired = Callers.unique("tok");
        String secret = admin.post("/api/v1/tokens", "{\"name\":\"" + expired + "\",\"access_policy\":\"" + policy
                + "\",\"expiration\":\"2020-01-01T00:00:00Z\"}").json().path("token").asString();
        Api.Response refused = admin.withToken(secret).get("/api/v1/tenants");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("detail").asString()).contains("expired");
        assertThat(refused.header("WWW-Authenticate")).contains("invalid_token");

        Callers.Token token = Callers.tokenOn(admin, policy);
        String mistyped = token.secret().substring(0, 10) + (token.secret().charAt(10) == 'a' ? 'b' : 'a') + token.secret().substring(11);
        assertThat(admin.withToken(mistyped).get("/api/v1/tenants").json().path("detail").asString()).contains("malformed");
        String unknown = dev.controlplane.httpsupport.TokenSecrets.newToken();
        assertThat(admin.withToken(unknown).get("/api/v1/tenants").status()).isEqualTo(401);

        assertThat(admin.withToken(token.secret()).get("/api/v1/tenants").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/accesspolicies/" + policy, "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(admin.withToken(token.secret()).get("/api/v1/tenants").status()).isEqualTo(401));
    }

    /**
     * Two instances, each following the log on its own: the shared system and a second query service (a read
     * replica of the same stores). A token deactivated through the first is refused by both within a second.
     */
    @Test
    void aDeactivatedToken_isRefusedWithinASecond_byEveryInstance() {
        Callers.Token token = Callers.token(admin, "tenants:read");
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        try {
            Api second = new Api(HttpClient.newHttpClient(), "http://127.0.0.1:" + port(startReplica(started, true)), token.secret());
            Api first = admin.withToken(token.secret());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(second.get("/api/v1/whoami").status()).isEqualTo(200));
            assertThat(first.get("/api/v1/whoami").status()).isEqualTo(200);

            assertThat(admin.put("/api/v1/tokens/" + token.name(), "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
            Instant deactivated = Instant.now();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
                assertThat(first.get("/api/v1/tenants").status()).isEqualTo(401);
                assertThat(second.get("/api/v1/tenants").status()).isEqualTo(401);
            });
            System.out.println("deactivated token refused by both instances after " + Duration.between(deactivated, Instant.now()).toMillis() + " ms");
        } finally {
            started.forEach(ConfigurableApplicationContext::close);
        }
    }

    @Test
    void withNoWayToAuthenticateConfigured_theAdminApiIsDisabled_andAnswers404() {
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        try {
            Api disabled = new Api(HttpClient.newHttpClient(), "http://127.0.0.1:" + port(startReplica(started, false)), TestSystem.TOKEN);
            Api.Response answer = disabled.get("/api/v1/tenants");
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.json().path("detail").asString()).contains("disabled");
            assertThat(disabled.withToken(null).get("/health").status()).isIn(200, 503);
        } finally {
            started.forEach(ConfigurableApplicationContext::close);
        }
    }

    @Test
    void aCallerBoundToATenant_seesOnlyThatTenantsResources_andOthersAre404() {
        String home = Callers.tenant(admin);
        String foreign = Callers.tenant(admin);
        Callers.Token bound = Callers.token(admin, List.of(home), "tenants:read", "tenants:write", "tenants:create",
                "accesspolicies:read", "tokens:read", "audit:read");
        Callers.Token foreignToken = Callers.token(admin, List.of(foreign), "tenants:read");
        Api caller = admin.withToken(bound.secret());
        admin.put("/api/v1/tenants/" + foreign, "{\"display_name\":\"changed\"}", "If-Match", "*");

        assertThat(caller.get("/api/v1/tenants/" + home).status()).isEqualTo(200);
        assertThat(caller.get("/api/v1/tenants/" + foreign).status()).isEqualTo(404);
        assertThat(caller.get("/api/v1/tenants/" + foreign + "/history").status()).isEqualTo(404);
        assertThat(caller.put("/api/v1/tenants/" + foreign, "{\"display_name\":\"x\"}", "If-Match", "*").status()).isEqualTo(404);
        assertThat(caller.patch("/api/v1/tenants/" + foreign, "{\"display_name\":\"x\"}", "If-Match", "*").status()).isEqualTo(404);
        assertThat(caller.get("/api/v1/accesspolicies/" + foreignToken.policy()).status()).isEqualTo(404);
        assertThat(caller.get("/api/v1/tokens/" + foreignToken.name()).status()).isEqualTo(404);
        assertThat(caller.get("/api/v1/tokens/" + bound.name()).status()).isEqualTo(200);
        assertThat(caller.post("/api/v1/tenants", "{\"name\":\"" + Callers.unique("out") + "\",\"cluster\":\"main\"}").status()).isEqualTo(403);

        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = caller.get("/api/v1/tenants?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("items").forEach(item -> listed.add(item.path("name").asString()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
        } while (cursor != null);
        assertThat(listed).containsExactly(home);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.get("/api/v1/audit?resource=tenant/" + foreign).json().path("items")).hasSize(2));
        assertThat(caller.get("/api/v1/audit?resource=tenant/" + foreign).json().path("items")).isEmpty();
        assertThat(caller.get("/api/v1/audit?resource=tenant").json().path("items"))
                .extracting(r -> r.path("resource").path("name").asString()).containsOnly(home);
    }

    @Test
    void aCallerCannotHandOutScopesItDoesNotHave_notEvenToItsOwnToken() {
        Callers.Token adminPolicy = Callers.token(admin, "admin");
        Callers.Token manager = Callers.token(admin, "tokens:create", "tokens:write", "tokens:read", "accesspolicies:create",
                "roles:create", "users:create");
        Api caller = admin.withToken(manager.secret());

        Api.Response onAdminPolicy = caller.post("/api/v1/tokens", "{\"name\":\"" + Callers.unique("esc") + "\",\"access_policy\":\""
                + adminPolicy.policy() + "\"}");
        assertThat(onAdminPolicy.status()).as(onAdminPolicy.body()).isEqualTo(403);
        assertThat(onAdminPolicy.json().path("detail").asString()).contains("admin");

        Api.Response ownUpgrade = caller.patch("/api/v1/tokens/" + manager.name(), "{\"access_policy\":\"" + adminPolicy.policy() + "\"}",
                "If-Match", "*");
        assertThat(ownUpgrade.status()).as(ownUpgrade.body()).isEqualTo(403);
        assertThat(caller.post("/api/v1/accesspolicies", "{\"name\":\"" + Callers.unique("esc") + "\",\"realms\":[{\"tenant\":\"*\","
                + "\"cluster\":\"main\"}],\"scopes\":[\"audit:read\"]}").status()).isEqualTo(403);
        assertThat(caller.post("/api/v1/roles", "{\"name\":\"" + Callers.unique("esc") + "\",\"scopes\":[\"admin\"]}").status()).isEqualTo(403);
        assertThat(caller.post("/api/v1/tokens", "{\"name\":\"" + Callers.unique("ok") + "\",\"access_policy\":\"" + manager.policy()
                + "\"}").status()).isEqualTo(201);

        // Judged on the result, not on the fields sent: reactivating an admin's token, or a user given an inactive
        // admin role (it grants the moment it is reactivated), hands out what the caller lacks.
        Callers.Token dormant = Callers.tokenOn(admin, adminPolicy.policy());
        assertThat(admin.put("/api/v1/tokens/" + dormant.name(), "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        assertThat(caller.patch("/api/v1/tokens/" + dormant.name(), "{\"status\":\"active\"}", "If-Match", "*").status()).isEqualTo(403);
        String role = Callers.unique("role");
        assertThat(admin.post("/api/v1/roles", "{\"name\":\"" + role + "\",\"scopes\":[\"admin\"]}").status()).isEqualTo(201);
        assertThat(admin.put("/api/v1/roles/" + role, "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        assertThat(caller.post("/api/v1/users", "{\"username\":\"" + Callers.unique("usr") + "\",\"roles\":[\"" + role + "\"]}").status())
                .isEqualTo(403);
        assertThat(caller.patch("/api/v1/accesspolicies/" + manager.policy(), "{\"rate_limit\":{\"requests_per_minute\":1000000}}",
                "If-Match", "*").status()).isEqualTo(403);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.get("/api/v1/audit?action=auth.denied&actor="
                + manager.actor()).json().path("items")).as("the refusals are audited").isNotEmpty());
    }

    @Test
    void aPathSpelledWithPercentEncoding_needsTheScopeOfThePathItSpells() {
        Callers.Token reader = Callers.token(admin, "tenants:read");
        Api caller = admin.withToken(reader.secret());

        assertThat(caller.get("/api/v1/%61udit").status()).isEqualTo(403);
        assertThat(caller.get("/api/v1/%75sers").status()).isEqualTo(403);
        assertThat(caller.post("/api/v1/webhooks/any-hook/rotate-secre%74", null, "If-Match", "*").status()).isEqualTo(403);
        assertThat(caller.get("/api/v1/ten%61nts").status()).isEqualTo(200);
        assertThat(caller.send("HEAD", "/api/v1/audit", null).status()).isEqualTo(403);
    }

    @Test
    void aReadOnlyCaller_cannotCallTheWebhookOperations_norWrite() {
        Callers.Token reader = Callers.token(admin, "admin:read");
        Api caller = admin.withToken(reader.secret());

        assertThat(caller.get("/api/v1/webhooks").status()).isEqualTo(200);
        assertThat(caller.get("/api/v1/status").status()).isEqualTo(200);
        assertThat(caller.post("/api/v1/webhooks/any-hook/rotate-secret", null, "If-Match", "*").status()).isEqualTo(403);
        assertThat(caller.post("/api/v1/webhooks/any-hook/deliveries/1/redeliver", null).status()).isEqualTo(403);
        assertThat(caller.post("/api/v1/webhooks/any-hook/recover?since=2020-01-01T00:00:00Z", null).status()).isEqualTo(403);
        assertThat(caller.put("/api/v1/config", "{}", "If-Match", "*").status()).isEqualTo(403);
        assertThat(caller.get("/api/v1/audit").status()).isEqualTo(403);
    }

    @Test
    void aCommandsOutcome_isShownOnlyToACallerThatMayReadItsResource() {
        String tenant = Callers.tenant(admin);
        String commandId = await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode items = admin.get("/api/v1/audit?resource=tenant/" + tenant).json().path("items");
            return items.isEmpty() ? null : items.get(0).path("command_id").asString();
        }, id -> id != null);
        Callers.Token plugins = Callers.token(admin, "plugins:read");

        Api.Response own = admin.get("/api/v1/commands/" + commandId);
        Api.Response other = admin.withToken(plugins.secret()).get("/api/v1/commands/" + commandId);
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(other.status()).isEqualTo(403);
    }

    /** A second query service against the shared broker and stores; without a token when {@code authenticated} is false. */
    private ConfigurableApplicationContext startReplica(List<ConfigurableApplicationContext> started, boolean authenticated) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--admin.kafka.bootstrap-servers=" + system.bootstrapServers(),
                "--admin.kafka.replication-factor=1", "--admin.kafka.min-insync-replicas=1",
                "--admin.query.projector-enabled=false",
                "--admin.auth.cursor-secret=" + TestSystem.cursorSecret(system),
                "--admin.query.read-model-url=jdbc:sqlite:" + system.dataDir().resolve("read-model.db"),
                "--admin.query.audit-url=jdbc:sqlite:" + system.dataDir().resolve("audit.db")));
        if (authenticated) {
            args.add("--admin.auth.token=" + TestSystem.TOKEN);
        }
        ConfigurableApplicationContext context = Services.run(QueryServiceApplication.class, args.toArray(String[]::new));
        started.add(context);
        return context;
    }

    private static String port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getProperty("local.server.port");
    }
}
