package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** Every kind on the one engine: its schema, its rules, references between kinds, PATCH and history. */
@ExtendWith(OutputCaptureExtension.class)
class KindsIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void usersHoldExistingRoles_andARoleTheyHoldIsNotDeactivatedUnlessForced() {
        String role = unique("role");
        String user = unique("user");
        assertThat(api.post("/api/v1/users", "{\"username\":\"" + user + "\",\"roles\":[\"" + role + "\"]}").status())
                .as("a role that does not exist").isEqualTo(422);

        assertThat(api.post("/api/v1/roles", "{\"name\":\"" + role + "\",\"description\":\"Operators\",\"scopes\":[\"users:read\",\"plugins:manage\"]}")
                .status()).isEqualTo(201);
        Api.Response created = api.post("/api/v1/users",
                "{\"username\":\"" + user + "\",\"email\":\"" + user + "@example.com\",\"roles\":[\"" + role + "\"]}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("username").asString()).isEqualTo(user);
        assertThat(created.json().path("created_by").asString()).isEqualTo("bootstrap:admin");
        assertThat(created.header("Location")).isEqualTo("/api/v1/users/" + user);

        Api.Response refused = api.put("/api/v1/roles/" + role, "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("detail").asString()).contains("user " + user).contains("force=true");

        Api.Response forced = api.put("/api/v1/roles/" + role + "?force=true", "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.json().path("status").asString()).isEqualTo("inactive");
        assertThat(api.post("/api/v1/users", "{\"username\":\"" + unique("late") + "\",\"roles\":[\"" + role + "\"]}").status())
                .as("an inactive role cannot be assigned").isEqualTo(422);
    }

    @Test
    void clustersAreImmutable_withoutETag_andUpdatesAnswer405() {
        String cluster = unique("cluster");
        Api.Response created = api.post("/api/v1/clusters", "{\"name\":\"" + cluster + "\",\"kind\":\"metrics\",\"base_url\":\"https://m.example\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).isNull();

        Api.Response read = api.get("/api/v1/clusters/" + cluster + "?min_version=1");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isNull();
        assertThat(read.json().path("base_url").asString()).isEqualTo("https://m.example");

        for (String method : new String[] {"PUT", "PATCH"}) {
            Api.Response update = api.send(method, "/api/v1/clusters/" + cluster, "{\"display_name\":\"x\"}", "If-Match", "*");
            assertThat(update.status()).isEqualTo(405);
            assertThat(update.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(update.header("Allow")).isEqualTo("GET, POST");
        }
        assertThat(api.get("/api/v1/clusters").json().path("type").asString()).isEqualTo("cluster");
    }

    @Test
    void aTokensSecretIsShownOnce_andNeverStoredOrLoggedInClear(CapturedOutput output) {
        String policy = policy();
        String token = unique("token");
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"" + token + "\",\"access_policy\":\"" + unique("nopolicy") + "\"}").status())
                .isEqualTo(422);
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"" + token + "\",\"access_policy\":\"" + policy + "\",\"secret_hash\":\"x\"}").status())
                .as("a client cannot set the hash").isEqualTo(400);

        Api.Response created = api.post("/api/v1/tokens",
                "{\"name\":\"" + token + "\",\"access_policy\":\"" + policy + "\",\"expiration\":\"2099-01-01T00:00:00Z\"}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().path("token").asString();
        assertThat(secret).startsWith("cpat_").hasSizeGreaterThan(40);
        assertThat(created.json().has("secret_hash")).isFalse();

        Api.Response read = api.get("/api/v1/tokens/" + token + "?min_version=1");
        assertThat(read.json().has("token")).isFalse();
        assertThat(read.json().has("secret_hash")).isFalse();
        assertThat(read.json().path("access_policy").asString()).isEqualTo(policy);
        assertThat(read.json().path("usable").asBoolean()).isTrue();
        String expired = unique("expired");
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"" + expired + "\",\"access_policy\":\"" + policy
                + "\",\"expiration\":\"2001-01-01T00:00:00Z\"}").status()).isEqualTo(201);
        assertThat(api.get("/api/v1/tokens/" + expired + "?min_version=1").json().path("usable").asBoolean())
                .as("an expired token does not authenticate").isFalse();
        assertThat(api.get("/api/v1/tokens?limit=1000").body()).doesNotContain(secret).doesNotContain("sha256:");

        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/api/v1/audit?resource=token/" + token).json().path("items").size() == 1);
        assertThat(api.get("/api/v1/audit?resource=token/" + token).body()).doesNotContain(secret).doesNotContain("sha256:");
        for (String topic : new String[] {Topics.COMMANDS, Topics.EVENTS, Topics.COMMAND_RESULTS}) {
            assertThat(LogProbe.read(system.bootstrapServers(), topic))
                    .as(topic).noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(secret));
        }
        assertThat(output.getAll()).doesNotContain(secret);

        assertThat(api.put("/api/v1/accesspolicies/" + policy, "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.get("/api/v1/tokens/" + token).json()
                .path("usable").asBoolean()).as("a token whose policy is inactive does not authenticate").isFalse());
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"" + unique("token") + "\",\"access_policy\":\"" + policy + "\"}").status())
                .as("a token needs an active policy").isEqualTo(422);
    }

    @Test
    void pluginsAreRegistered_patchedWithAMergePatch_andDeactivated() {
        String plugin = unique("plugin");
        Api.Response created = api.post("/api/v1/plugins", "{\"name\":\"" + plugin + "\",\"version\":\"1.2.0\","
                + "\"source\":\"oci://registry.example/exporter\",\"config\":{\"interval\":\"30s\",\"labels\":{\"team\":\"a\"}},\"enabled\":false}");
        assertThat(created.status()).isEqualTo(201);

        assertThat(api.patch("/api/v1/plugins/" + plugin, "{\"enabled\":true}").status()).as("no If-Match").isEqualTo(428);
        Api.Response patched = api.patch("/api/v1/plugins/" + plugin,
                "{\"version\":\"1.3.0\",\"enabled\":true,\"config\":{\"interval\":null,\"labels\":{\"env\":\"prod\"}}}",
                "If-Match", "\"1\"", "Content-Type", "application/merge-patch+json");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.header("ETag")).isEqualTo("\"2\"");
        assertThat(patched.json().path("config").toString()).isEqualTo("{\"labels\":{\"team\":\"a\",\"env\":\"prod\"}}");
        assertThat(patched.json().path("source").asString()).isEqualTo("oci://registry.example/exporter");

        assertThat(api.patch("/api/v1/plugins/" + plugin, "{\"enabled\":false}", "If-Match", "\"1\"").status()).isEqualTo(412);
        assertThat(api.patch("/api/v1/plugins/" + plugin, "{\"version\":null}", "If-Match", "\"2\"").status())
                .as("a required field cannot be removed").isEqualTo(400);
        assertThat(api.patch("/api/v1/plugins/" + plugin, "{\"enabled\":\"yes\"}", "If-Match", "\"2\"").json()
                .path("errors").get(0).path("field").asString()).isEqualTo("/enabled");
        assertThat(api.patch("/api/v1/plugins/" + plugin, "{\"status\":\"inactive\"}", "If-Match", "\"2\"").json()
                .path("status").asString()).isEqualTo("inactive");
    }

    @Test
    void history_listsEveryEventOfAResource_withActorVersionAndChanges_inPages() {
        String tenant = unique("tenant");
        api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        for (int version = 1; version <= 4; version++) {
            assertThat(api.patch("/api/v1/tenants/" + tenant, "{\"display_name\":\"v" + version + "\"}", "If-Match", "\"" + version + "\"")
                    .status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/tenants/" + tenant + "/history?limit=1000").json().path("items").size() == 5);

        JsonNode first = api.get("/api/v1/tenants/" + tenant + "/history?limit=3").json();
        assertThat(first.path("items")).extracting(e -> e.path("version").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(first.path("items").get(0).path("type").asString()).isEqualTo("tenant.create");
        assertThat(first.path("items").get(1).path("actor").asString()).isEqualTo("bootstrap:admin");
        assertThat(first.path("items").get(1).path("changes").path("display_name").path("to").asString()).isEqualTo("v1");
        JsonNode second = api.get("/api/v1/tenants/" + tenant + "/history?limit=3&cursor=" + first.path("next_cursor").asString()).json();
        assertThat(second.path("items")).extracting(e -> e.path("version").asLong()).containsExactly(4L, 5L);
        assertThat(second.path("next_cursor").isNull()).isTrue();

        assertThat(api.get("/api/v1/tenants/" + tenant + "/history?order=desc&limit=1").json().path("items").get(0).path("version").asLong())
                .isEqualTo(5);
        assertThat(api.get("/api/v1/tenants/" + unique("none") + "/history").status()).isEqualTo(404);
    }

    @Test
    void serverManagedFields_areIgnoredOnCreate_andRefusedOnUpdateWhenChanged() {
        String tenant = unique("tenant");
        Api.Response created = api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\","
                + "\"created_by\":\"mallory\",\"version\":99,\"status\":\"inactive\",\"created_at\":\"2000-01-01T00:00:00Z\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("created_by").asString()).isEqualTo("bootstrap:admin");
        assertThat(created.json().path("status").asString()).isEqualTo("active");
        assertThat(created.header("ETag")).isEqualTo("\"1\"");

        for (String body : new String[] {"{\"created_by\":\"mallory\"}", "{\"version\":7}", "{\"created_at\":\"2000-01-01T00:00:00Z\"}"}) {
            assertThat(api.put("/api/v1/tenants/" + tenant, body, "If-Match", "*").status()).as(body).isEqualTo(400);
            assertThat(api.patch("/api/v1/tenants/" + tenant, body, "If-Match", "*").status()).as(body).isEqualTo(400);
        }
        String asRead = created.body().replace("\"display_name\":\"" + tenant + "\"", "\"display_name\":\"round trip\"");
        Api.Response roundTrip = api.put("/api/v1/tenants/" + tenant, asRead, "If-Match", "\"1\"");
        assertThat(roundTrip.status()).as("a body read with GET can be sent back").isEqualTo(200);
        assertThat(roundTrip.json().path("display_name").asString()).isEqualTo("round trip");
    }

    @Test
    void aLabelPolicySelector_mustParseAsAPromqlMetricSelector() {
        String good = "{\"name\":\"" + unique("lp") + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\",\"label_policies\":"
                + "[{\"selector\":\"{job=\\\"api\\\", env!~\\\"dev|test\\\"}\"}]}],\"scopes\":[\"metrics:read\"]}";
        assertThat(api.post("/api/v1/accesspolicies", good).status()).isEqualTo(201);

        for (String selector : new String[] {"{job=api}", "{job=\\\"api\\\"", "job=\\\"api\\\"", "{env=~\\\".*\\\"}", "{job=~\\\"(\\\"}"}) {
            String bad = "{\"name\":\"" + unique("lp") + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\",\"label_policies\":"
                    + "[{\"selector\":\"" + selector + "\"}]}],\"scopes\":[\"metrics:read\"]}";
            Api.Response refused = api.post("/api/v1/accesspolicies", bad);
            assertThat(refused.status()).as(selector).isEqualTo(400);
            assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("/realms/0/label_policies/0/selector");
        }
    }

    private String policy() {
        String tenant = unique("tenant");
        String policy = unique("policy");
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[{\"tenant\":\"" + tenant
                + "\",\"cluster\":\"main\"}],\"scopes\":[\"metrics:read\"]}").status()).isEqualTo(201);
        return policy;
    }
}
