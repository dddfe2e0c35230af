package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.ConsumerGroups;
import dev.controlplane.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/** The single documents and the system's own endpoints: configuration, API keys, licenses, features, status. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocumentsIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @Test
    @Order(1)
    void configuration_isOneVersionedDocument_readAndWrittenAsJsonOrYaml() {
        Api.Response current = api.get("/api/v1/config");
        assertThat(current.status()).isEqualTo(200);
        long v = Long.parseLong(current.header("ETag").replace("\"", ""));
        if (v == 0) {
            assertThat(current.json().isEmpty()).as("before its first write, every setting is at its default").isTrue();
        }

        assertThat(api.put("/api/v1/config", "{\"audit\":{\"retention_days\":30}}").status()).isEqualTo(428);
        Api.Response invalid = api.put("/api/v1/config", "{\"audit\":{\"retention_days\":\"long\"}}", "If-Match", etag(v));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("errors").get(0).path("field").asString()).isEqualTo("/audit/retention_days");
        assertThat(api.put("/api/v1/config", "{\"colour\":\"red\"}", "If-Match", etag(v)).status()).isEqualTo(400);
        assertThat(api.put("/api/v1/config", "{\"status\":\"inactive\"}", "If-Match", etag(v)).status())
                .as("a single document is never deactivated").isEqualTo(400);

        Api.Response first = api.put("/api/v1/config", "{\"audit\":{\"retention_days\":30},\"webhooks\":{\"retry_schedule\":[\"5s\",\"5m\"]}}",
                "If-Match", etag(v));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("ETag")).isEqualTo(etag(v + 1));

        String yaml = "tokens:\n  max_lifetime_days: 90\naudit:\n  retention_days: 60\n";
        Api.Response fromYaml = api.send("PUT", "/api/v1/config.yaml", yaml, "If-Match", etag(v + 1), "Content-Type", "application/yaml");
        assertThat(fromYaml.status()).as(fromYaml.body()).isEqualTo(200);
        assertThat(fromYaml.header("Content-Type")).startsWith("application/yaml");
        assertThat(fromYaml.body()).contains("max_lifetime_days: 90");
        assertThat(api.send("PUT", "/api/v1/config", "audit: [1, 2", "If-Match", etag(v + 2), "Content-Type", "application/yaml").status())
                .as("malformed YAML").isEqualTo(400);
        assertThat(api.put("/api/v1/config", "{\"audit\":{\"retention_days\":1}}", "If-Match", etag(v + 1)).status()).isEqualTo(412);

        Api.Response asYaml = api.send("GET", "/api/v1/config?min_version=" + (v + 2), null, "Accept", "application/yaml");
        assertThat(asYaml.header("Content-Type")).startsWith("application/yaml");
        assertThat(asYaml.body()).contains("retention_days: 60").contains("- \"5s\"");
        assertThat(api.get("/api/v1/config.yaml").body()).isEqualTo(asYaml.body());
        JsonNode json = api.get("/api/v1/config").json();
        assertThat(json.path("tokens").path("max_lifetime_days").asInt()).isEqualTo(90);
        assertThat(json.path("webhooks").path("retry_schedule").size()).isEqualTo(2);

        Api.Response patched = api.patch("/api/v1/config", "{\"webhooks\":null}", "If-Match", etag(v + 2));
        assertThat(patched.json().has("webhooks")).isFalse();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.get("/api/v1/config/history?order=desc&limit=3").json().path("items"))
                .extracting(e -> e.path("version").asLong() + " " + e.path("type").asString())
                .containsExactly((v + 3) + " config.update", (v + 2) + " config.update", (v + 1) + (v == 0 ? " config.create" : " config.update")));
        assertThat(api.post("/api/v1/config", "{}").status()).as("no collection routes").isIn(404, 405);
    }

    private static String etag(long version) {
        return "\"" + version + "\"";
    }

    @Test
    @Order(2)
    void apiKeys_areListedMasked_addedPatchedAndDeletedOneByOne_andReplacedAllOrNothing() {
        Api.Response added = api.post("/api/v1/api-keys", "{\"name\":\"ci-key\",\"description\":\"CI pipeline\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        String secret = added.json().path("key").asString();
        assertThat(secret).startsWith("cpk_");
        assertThat(added.json().path("masked").asString()).endsWith(secret.substring(secret.length() - 4)).doesNotContain(secret);
        long version = Long.parseLong(added.header("ETag").replace("\"", ""));
        assertThat(api.post("/api/v1/api-keys", "{\"name\":\"ci-key\"}").status()).isEqualTo(409);

        Api.Response listed = api.get("/api/v1/api-keys?min_version=" + version);
        assertThat(listed.body()).doesNotContain(secret).doesNotContain("key_hash").doesNotContain("sha256:");
        assertThat(listed.json().path("items")).extracting(k -> k.path("name").asString()).contains("ci-key");

        Api.Response patched = api.patch("/api/v1/api-keys/ci-key", "{\"description\":\"CI (main)\"}", "If-Match", added.header("ETag"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("description").asString()).isEqualTo("CI (main)");
        assertThat(api.patch("/api/v1/api-keys/nope", "{\"description\":\"x\"}", "If-Match", "*").status()).isEqualTo(404);

        String etag = patched.header("ETag");
        Api.Response refused = api.put("/api/v1/api-keys", "{\"items\":[{\"name\":\"ci-key\"},{\"name\":\"ops-key\"},{\"name\":\"ops-key\"}]}", "If-Match", etag);
        assertThat(refused.status()).as("a repeated name refuses the whole replacement").isEqualTo(400);
        Api.Response replaced = api.put("/api/v1/api-keys",
                "{\"items\":[{\"name\":\"ci-key\",\"description\":\"kept\"},{\"name\":\"ops-key\"},{\"name\":\"given\",\"key\":\"given-secret-0123456789abcdef\"}]}",
                "If-Match", etag);
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        JsonNode items = replaced.json().path("items");
        assertThat(items).extracting(k -> k.path("name").asString()).containsExactly("ci-key", "ops-key", "given");
        assertThat(items.get(0).has("key")).as("an existing key keeps its secret").isFalse();
        assertThat(items.get(0).path("masked").asString()).isEqualTo(added.json().path("masked").asString());
        assertThat(items.get(1).path("key").asString()).as("a new key without one gets a generated secret").startsWith("cpk_");
        assertThat(items.get(2).has("key")).as("a secret the client gave is not echoed").isFalse();

        Api.Response deleted = api.send("DELETE", "/api/v1/api-keys/ops-key", null, "If-Match", replaced.header("ETag"));
        assertThat(deleted.status()).isEqualTo(204);
        long last = Long.parseLong(deleted.header("ETag").replace("\"", ""));
        assertThat(api.get("/api/v1/api-keys?min_version=" + last).json().path("items"))
                .extracting(k -> k.path("name").asString()).containsExactly("ci-key", "given");
        for (String topic : new String[] {Topics.COMMANDS, Topics.EVENTS, Topics.COMMAND_RESULTS}) {
            assertThat(LogProbe.read(system.bootstrapServers(), topic)).as(topic).noneMatch(r -> {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                return value.contains(secret) || value.contains("given-secret-0123456789abcdef");
            });
        }
    }

    @Test
    @Order(3)
    void licenses_areVerified_andListedWithTheirClaims_expiredOrMalformedOnesAreRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        String name = "lic-" + UUID.randomUUID().toString().substring(0, 8);
        String good = TestLicenses.sign(TestSystem.LICENSE_ISSUER.getPrivate(), now - 60, now + 86_400 * 365);
        Api.Response uploaded = api.post("/api/v1/licenses", "{\"name\":\"" + name + "\",\"display_name\":\"Production\",\"license\":\"" + good + "\"}");
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        assertThat(uploaded.json().path("token").path("company").asString()).isEqualTo("Example Corp");
        assertThat(uploaded.json().path("verified").asBoolean()).isTrue();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode listed = api.get("/api/v1/licenses").json();
            assertThat(listed.path("type").asString()).isEqualTo("license");
            assertThat(listed.path("items")).anySatisfy(l -> {
                assertThat(l.path("name").asString()).isEqualTo(name);
                assertThat(l.path("token").path("max_users").asLong()).isEqualTo(50);
                assertThat(l.path("token").path("prod").get(0).asString()).isEqualTo("enterprise-metrics");
            });
        });

        Api.Response expired = api.post("/api/v1/licenses", "{\"name\":\"expired-1\",\"license\":\""
                + TestLicenses.sign(TestSystem.LICENSE_ISSUER.getPrivate(), now - 7200, now - 3600) + "\"}");
        assertThat(expired.status()).isEqualTo(422);
        assertThat(expired.json().path("detail").asString()).contains("expired");
        PrivateKey stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        Api.Response forged = api.post("/api/v1/licenses", "{\"name\":\"forged-1\",\"license\":\"" + TestLicenses.sign(stranger, now, now + 3600) + "\"}");
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.json().path("detail").asString()).contains("signature");
        Api.Response malformed = api.post("/api/v1/licenses", "{\"name\":\"malformed-1\",\"license\":\"not-a-license-at-all\"}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("errors").get(0).path("field").asString()).isEqualTo("/license");
        assertThat(api.put("/api/v1/licenses/" + name, "{\"display_name\":\"x\"}", "If-Match", "*").status()).isEqualTo(405);
    }

    @Test
    void features_nameTheProductItsVersionAndItsFeatures() {
        JsonNode features = api.get("/api/v1/features").json();
        assertThat(features.path("name").asString()).isEqualTo("admin-control-plane");
        assertThat(features.path("version").asString()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(features.path("features").path("editable_tenants").asString()).isEqualTo("v1");
    }

    @Test
    void status_showsTheVersion_theBrokersAndTopics_andEveryConsumersLag() {
        api.post("/api/v1/clusters", "{\"name\":\"status-" + UUID.randomUUID().toString().substring(0, 8) + "\"}");
        JsonNode status = api.get("/api/v1/status").json();
        assertThat(status.path("version").asString()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(status.path("kafka").path("reachable").asBoolean()).isTrue();
        assertThat(status.path("kafka").path("brokers")).hasSize(1);
        assertThat(status.path("kafka").path("topics")).extracting(t -> t.path("name").asString())
                .containsExactly(Topics.COMMAND_RESULTS, Topics.COMMANDS, Topics.EVENTS);
        assertThat(status.path("consumers")).extracting(c -> c.path("group").asString())
                .containsExactlyInAnyOrder(ConsumerGroups.PROCESSOR, ConsumerGroups.READ_MODEL, ConsumerGroups.AUDIT,
                        ConsumerGroups.SECURITY_AUDIT, ConsumerGroups.WEBHOOKS);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.get("/api/v1/status").json().path("consumers"))
                .allSatisfy(c -> assertThat(c.path("lag").asLong()).as(c.toString()).isZero()));
    }
}
