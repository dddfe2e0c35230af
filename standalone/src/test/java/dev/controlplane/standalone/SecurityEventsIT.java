package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Failed authentications and denied calls are audit records (auth.failed, auth.denied) with the presented
 * identity, the address, the endpoints and the reasons, never the secret; a flood of bad tokens becomes one
 * record per address and window, with a count.
 */
class SecurityEventsIT {

    private final Standalone system = TestSystem.shared();
    private final Api admin = Api.of(system);

    private Api from(String address) throws Exception {
        return new Api(HttpClient.newBuilder().localAddress(InetAddress.getByName(address)).build(),
                "http://127.0.0.1:" + system.port(), TestSystem.TOKEN);
    }

    @Test
    void aFloodOfBadTokens_becomesOneCountedRecordPerAddressAndWindow_withoutTheTokens() throws Exception {
        Api attacker = from("127.0.0.21");
        Instant start = Instant.now().minusSeconds(5);
        int attempts = 600;
        for (int i = 0; i < attempts; i++) {
            assertThat(attacker.withToken("bad-token-" + i).get("/api/v1/tenants").status()).isEqualTo(401);
        }
        Instant end = Instant.now();

        List<JsonNode> records = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            records.clear();
            records.addAll(recordsFrom("127.0.0.21", "auth.failed", start));
            assertThat(records.stream().mapToLong(r -> r.path("changes").path("count").asLong()).sum()).isEqualTo(attempts);
        });
        long windows = Duration.between(start.plusSeconds(5), end).toSeconds() / 2 + 2;
        assertThat(records).hasSizeLessThanOrEqualTo((int) windows);
        for (JsonNode record : records) {
            assertThat(record.path("actor").asString()).isEqualTo("anonymous");
            assertThat(record.path("request").path("source_ip").asString()).isEqualTo("127.0.0.21");
            assertThat(record.path("changes").path("endpoints")).extracting(JsonNode::asString).containsExactly("GET /api/v1/tenants");
            assertThat(record.path("changes").path("reasons").propertyNames()).containsExactly("the bearer token is not valid");
            assertThat(record.toString()).doesNotContain("bad-token-");
        }
    }

    @Test
    void aDeniedCall_isAuditedAsTheCallerThatMadeIt_withTheScopeItLacked() throws Exception {
        Callers.Token reader = Callers.token(admin, "tenants:read");
        Api caller = from("127.0.0.22").withToken(reader.secret());
        Instant start = Instant.now().minusSeconds(5);
        for (int i = 0; i < 3; i++) {
            assertThat(caller.post("/api/v1/tenants", "{\"name\":\"denied-x\",\"cluster\":\"main\"}").status()).isEqualTo(403);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode page = admin.get("/api/v1/audit?action=auth.denied&actor=" + reader.actor() + "&since=" + start).json();
            assertThat(page.path("items")).isNotEmpty();
            long count = 0;
            for (JsonNode record : page.path("items")) {
                count += record.path("changes").path("count").asLong();
                assertThat(record.path("changes").path("reasons").propertyNames()).allSatisfy(reason -> assertThat(reason).contains("tenants:create"));
                assertThat(record.toString()).doesNotContain(reader.secret());
            }
            assertThat(count).isEqualTo(3);
        });
    }

    @Test
    void aRevokedTokensFailures_nameTheToken_neverItsSecret() throws Exception {
        Callers.Token token = Callers.token(admin, "tenants:read");
        assertThat(admin.put("/api/v1/tokens/" + token.name(), "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        Api caller = from("127.0.0.23").withToken(token.secret());
        Instant start = Instant.now().minusSeconds(5);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(caller.get("/api/v1/tenants").status()).isEqualTo(401));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> records = recordsFrom("127.0.0.23", "auth.failed", start);
            assertThat(records).isNotEmpty().allSatisfy(record -> {
                assertThat(record.path("actor").asString()).isEqualTo(token.actor());
                assertThat(record.toString()).doesNotContain(token.secret()).doesNotContain("sha256:");
            });
        });
    }

    private List<JsonNode> recordsFrom(String address, String action, Instant since) {
        List<JsonNode> found = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = admin.get("/api/v1/audit?action=" + action + "&since=" + since + "&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor)).json();
            for (JsonNode record : page.path("items")) {
                if (record.path("request").path("source_ip").asString().equals(address)) {
                    found.add(record);
                }
            }
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
        } while (cursor != null);
        return found;
    }
}
