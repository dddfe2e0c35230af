package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Topics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The REST contract of tenants and access policies, end to end through Kafka and SQLite. */
class ResourceApiIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Api.Response createTenant(String name) {
        return api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"display_name\":\"Tenant " + name + "\",\"cluster\":\"main\"}");
    }

    @Test
    void create_returns201_withEtagLocationAndTheResource() {
        String name = unique("t");
        Api.Response created = createTenant(name);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        assertThat(created.header("Location")).isEqualTo("/api/v1/tenants/" + name);
        assertThat(created.json().path("status").asString()).isEqualTo("active");
        assertThat(created.json().path("created_at").asString()).isNotBlank();

        Api.Response read = api.get("/api/v1/tenants/" + name + "?min_version=1");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo("\"1\"");
        assertThat(read.json().path("display_name").asString()).isEqualTo("Tenant " + name);
    }

    @Test
    void create_returns409_whenTheNameExists_activeOrInactive() {
        String name = unique("t");
        createTenant(name);
        assertThat(createTenant(name).status()).isEqualTo(409);

        api.put("/api/v1/tenants/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        Api.Response again = createTenant(name);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void get_returns404_whenUnknown() {
        Api.Response missing = api.get("/api/v1/tenants/" + unique("none"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("status").asInt()).isEqualTo(404);
        assertThat(api.get("/api/v1/gizmos").status()).isEqualTo(404);
    }

    @Test
    void update_returns428_whenIfMatchIsMissing() {
        String name = unique("t");
        createTenant(name);
        assertThat(api.put("/api/v1/tenants/" + name, "{\"display_name\":\"x\"}").status()).isEqualTo(428);
    }

    @Test
    void update_returns412_withTheCurrentVersion_whenIfMatchIsStale() {
        String name = unique("t");
        createTenant(name);
        assertThat(api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v2\"}", "If-Match", "\"1\"").status()).isEqualTo(200);

        Api.Response stale = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v3\"}", "If-Match", "\"1\"");

        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().path("current_version").asLong()).isEqualTo(2);
    }

    @Test
    void update_withStar_appliesToAnyVersion_andReturnsTheNewEtag() {
        String name = unique("t");
        createTenant(name);
        api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v2\"}", "If-Match", "\"1\"");

        Api.Response any = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v3\"}", "If-Match", "*");

        assertThat(any.status()).isEqualTo(200);
        assertThat(any.header("ETag")).isEqualTo("\"3\"");
    }

    @Test
    void update_ignoresTheBodysName_andRefusesToChangeCreatedAt() {
        String name = unique("t");
        JsonNode created = createTenant(name).json();

        Api.Response renamed = api.put("/api/v1/tenants/" + name, "{\"name\":\"other\",\"display_name\":\"x\"}", "If-Match", "\"1\"");
        assertThat(renamed.json().path("name").asString()).isEqualTo(name);

        Api.Response backdated = api.put("/api/v1/tenants/" + name, "{\"created_at\":\"2000-01-01T00:00:00Z\"}", "If-Match", "*");
        assertThat(backdated.status()).isEqualTo(400);
        assertThat(backdated.json().path("errors").get(0).path("field").asString()).isEqualTo("/created_at");
        assertThat(api.get("/api/v1/tenants/" + name + "?min_version=2").json().path("created_at"))
                .isEqualTo(created.path("created_at"));
    }

    @Test
    void softDelete_hidesFromLists_untilIncludeNonActive_andReactivationBringsItBack() {
        String name = unique("soft");
        createTenant(name);
        api.put("/api/v1/tenants/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        api.get("/api/v1/tenants/" + name + "?min_version=2");

        assertThat(names(api.get("/api/v1/tenants?limit=1000"))).doesNotContain(name);
        assertThat(names(api.get("/api/v1/tenants?limit=1000&include-non-active=true"))).contains(name);

        Api.Response reactivated = api.put("/api/v1/tenants/" + name, "{\"status\":\"active\"}", "If-Match", "\"2\"");
        assertThat(reactivated.status()).isEqualTo(200);
        api.get("/api/v1/tenants/" + name + "?min_version=3");
        assertThat(names(api.get("/api/v1/tenants?limit=1000"))).contains(name);
    }

    @Test
    void list_pagesWithAnOpaqueCursor_andRefusesATamperedOne() {
        String prefix = unique("page");
        for (int i = 0; i < 5; i++) {
            createTenant(prefix + "-" + i);
        }
        api.get("/api/v1/tenants/" + prefix + "-4?min_version=1");
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = api.get("/api/v1/tenants?limit=2&include-non-active=true" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().path("type").asString()).isEqualTo("tenant");
            assertThat(page.json().path("items").size()).isLessThanOrEqualTo(2);
            for (String n : names(page)) {
                assertThat(seen.add(n)).as("seen once: " + n).isTrue();
            }
            cursor = page.json().path("next_cursor").isNull() ? null : page.json().path("next_cursor").asString();
            pages++;
        } while (cursor != null && pages < 10_000);
        assertThat(seen).contains(prefix + "-0", prefix + "-4");

        String first = api.get("/api/v1/tenants?limit=1").json().path("next_cursor").asString();
        String tampered = (first.charAt(0) == 'A' ? 'B' : 'A') + first.substring(1);
        assertThat(api.get("/api/v1/tenants?limit=1&cursor=" + tampered).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/tenants?limit=1&include-non-active=true&cursor=" + first).status())
                .as("a cursor is bound to its filter").isEqualTo(400);
        assertThat(api.get("/api/v1/tenants?limit=1001").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/tenants?limit=abc").status()).isEqualTo(400);
    }

    @Test
    void invalidInput_returns400_namingTheField_andNothingReachesTheCommandTopic() {
        long before = LogProbe.size(system.bootstrapServers(), Topics.COMMANDS);
        String big = "x".repeat(70_000);
        List<String[]> cases = List.of(
                new String[] {"{\"name\":\"ok-name\",", "body"},
                new String[] {"{\"name\":\"ok-name\",\"cluster\":5}", "/cluster"},
                new String[] {"{\"name\":\"Bad Name\",\"cluster\":\"main\"}", "/name"},
                new String[] {"{\"name\":\"ok-name\",\"cluster\":\"main\",\"color\":\"red\"}", "/color"},
                new String[] {"{\"name\":\"ok-name\"}", "/cluster"},
                new String[] {"{\"name\":\"ok-name\",\"cluster\":\"main\",\"display_name\":\"" + big + "\"}", "body"},
                new String[] {"[1,2]", ""});
        for (String[] c : cases) {
            Api.Response response = api.post("/api/v1/tenants", c[0]);
            assertThat(response.status()).as(c[0].length() > 80 ? "oversized" : c[0]).isEqualTo(400);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.json().path("errors").get(0).path("field").asString()).isEqualTo(c[1]);
            assertThat(response.body()).doesNotContain("Exception", "at dev.");
        }
        assertThat(api.put("/api/v1/tenants/whatever", "{\"status\":\"gone\"}", "If-Match", "\"1\"").status()).isEqualTo(400);
        assertThat(api.put("/api/v1/tenants/whatever", "{}", "If-Match", "one").status()).isEqualTo(400);
        assertThat(LogProbe.size(system.bootstrapServers(), Topics.COMMANDS)).isEqualTo(before);
    }

    @Test
    void accessPolicies_followTheSameContract() {
        String name = unique("ap");
        String body = "{\"name\":\"" + name + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\",\"label_policies\":"
                + "[{\"selector\":\"{job=\\\"grafana\\\"}\"}]}],\"scopes\":[\"metrics:read\",\"admin:read\"]}";
        Api.Response created = api.post("/api/v1/accesspolicies", body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/accesspolicies/" + name);
        assertThat(api.post("/api/v1/accesspolicies", body).status()).isEqualTo(409);

        Api.Response updated = api.put("/api/v1/accesspolicies/" + name, "{\"scopes\":[\"metrics:write\"]}", "If-Match", "\"1\"");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("realms").get(0).path("cluster").asString()).isEqualTo("main");
        assertThat(api.put("/api/v1/accesspolicies/" + name, "{\"scopes\":[\"root\"]}", "If-Match", "\"2\"").status()).isEqualTo(400);
        assertThat(api.put("/api/v1/accesspolicies/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"1\"").status()).isEqualTo(412);

        Api.Response list = api.get("/api/v1/accesspolicies?limit=1000");
        assertThat(list.json().path("type").asString()).isEqualTo("access_policy");
        assertThat(api.get("/api/v1/accesspolicies/" + name + "?min_version=2").header("ETag")).isEqualTo("\"2\"");
    }

    @Test
    void missingOrWrongToken_returns401_withWwwAuthenticate() {
        Api.Response missing = api.withToken(null).get("/api/v1/tenants");
        Api.Response wrong = api.withToken("not-the-token").get("/api/v1/tenants");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("invalid_token");
        assertThat(api.withToken(null).get("/health").status()).isEqualTo(200);
    }

    @Test
    void idempotencyKey_retryReturnsTheFirstOutcome_andWritesNoSecondEvent() {
        String name = unique("idem");
        String body = "{\"name\":\"" + name + "\",\"cluster\":\"main\"}";
        Api.Response first = api.post("/api/v1/tenants", body, "Idempotency-Key", "key-" + name);
        Api.Response retry = api.post("/api/v1/tenants", body, "Idempotency-Key", "key-" + name);
        Api.Response update = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"u\"}", "If-Match", "\"1\"", "Idempotency-Key", "u-" + name);
        Api.Response updateRetry = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"u\"}", "If-Match", "\"1\"", "Idempotency-Key", "u-" + name);
        Api.Response reused = api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"other\"}", "Idempotency-Key", "key-" + name);

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(updateRetry.status()).isEqualTo(200);
        assertThat(updateRetry.header("ETag")).isEqualTo(update.header("ETag")).isEqualTo("\"2\"");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + name)).isEqualTo(2);
    }

    @Test
    void fiftyConcurrentUpdates_withTheSameIfMatch_exactlyOneWins() throws Exception {
        String name = unique("race");
        createTenant(name);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String body = "{\"display_name\":\"writer " + i + "\"}";
                writers.add(() -> api.put("/api/v1/tenants/" + name, body, "If-Match", "\"1\"").status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(writers)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 412).hasSize(49);
        } finally {
            pool.shutdown();
        }
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + name)).isEqualTo(2);
    }

    private static List<String> names(Api.Response list) {
        List<String> names = new ArrayList<>();
        list.json().path("items").forEach(item -> names.add(item.path("name").asString()));
        return names;
    }
}
