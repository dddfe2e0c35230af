package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * An Idempotency-Key's first outcome, accepted or rejected, answers every retry for the window (24 h), however busy
 * its resource; the key on another resource or with another body is 422 and never a second command.
 */
class IdempotencyIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void busy(String path, int commands) {
        for (int i = 0; i < commands; i++) {
            Api.Response update = api.put(path, "{\"display_name\":\"busy " + i + "\"}", "If-Match", "*");
            assertThat(update.status()).as(update.body()).isEqualTo(200);
        }
    }

    @Test
    void retriesAfterFortyLaterCommands_getTheFirstAnswers_andWriteNothing() {
        String name = unique("idem-busy");
        String path = "/api/v1/tenants/" + name;
        String create = "{\"name\":\"" + name + "\",\"cluster\":\"main\"}";
        Api.Response created = api.post("/api/v1/tenants", create, "Idempotency-Key", "c-" + name);
        Api.Response exact = api.put(path, "{\"display_name\":\"exact\"}", "If-Match", "\"1\"", "Idempotency-Key", "e-" + name);
        Api.Response any = api.put(path, "{\"display_name\":\"any\"}", "If-Match", "*", "Idempotency-Key", "a-" + name);
        // Rejected at first (the resource is at 3, not 9): its retry must stay rejected once the resource reaches 9.
        Api.Response stale = api.put(path, "{\"display_name\":\"early\"}", "If-Match", "\"9\"", "Idempotency-Key", "s-" + name);
        assertThat(List.of(created.status(), exact.status(), any.status(), stale.status())).containsExactly(201, 200, 200, 412);
        busy(path, 40);
        long events = LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + name);

        Api.Response createRetry = api.post("/api/v1/tenants", create, "Idempotency-Key", "c-" + name);
        Api.Response exactRetry = api.put(path, "{\"display_name\":\"exact\"}", "If-Match", "\"1\"", "Idempotency-Key", "e-" + name);
        Api.Response anyRetry = api.put(path, "{\"display_name\":\"any\"}", "If-Match", "*", "Idempotency-Key", "a-" + name);
        Api.Response staleRetry = api.put(path, "{\"display_name\":\"early\"}", "If-Match", "\"9\"", "Idempotency-Key", "s-" + name);

        assertThat(createRetry.status()).as(createRetry.body()).isEqualTo(201);
        assertThat(createRetry.body()).isEqualTo(created.body());
        assertThat(exactRetry.status()).as("not 412: the write succeeded").isEqualTo(200);
        assertThat(exactRetry.header("ETag")).isEqualTo("\"2\"");
        assertThat(anyRetry.header("ETag")).as("not a second event over later changes").isEqualTo("\"3\"");
        assertThat(anyRetry.body()).isEqualTo(any.body());
        assertThat(staleRetry.status()).isEqualTo(412);
        assertThat(staleRetry.json().path("current_version").asLong()).isEqualTo(3);
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + name)).isEqualTo(events).isEqualTo(43);
        assertThat(api.get(path + "?min_version=43").json().path("display_name").asString()).isEqualTo("busy 39");
    }

    @Test
    void aSingleDocument_keepsEveryKeysOutcome_throughFortyLaterWrites() {
        String key = unique("cfg");
        Api.Response first = api.patch("/api/v1/config", "{\"labels\":{\"idem\":\"" + key + "\"}}", "If-Match", "*",
                "Idempotency-Key", key);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        for (int i = 0; i < 40; i++) {
            assertThat(api.patch("/api/v1/config", "{\"labels\":{\"busy\":\"" + i + "\"}}", "If-Match", "*").status()).isEqualTo(200);
        }

        Api.Response retry = api.patch("/api/v1/config", "{\"labels\":{\"idem\":\"" + key + "\"}}", "If-Match", "*",
                "Idempotency-Key", key);

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.header("ETag")).isEqualTo(first.header("ETag"));
    }

    @Test
    void aKeyReusedOnAnotherResource_is422_andCreatesNothing() {
        String key = unique("reuse");
        String one = unique("idem-one");
        String two = unique("idem-two");
        Api.Response first = api.post("/api/v1/tenants", "{\"name\":\"" + one + "\",\"cluster\":\"main\"}", "Idempotency-Key", key);
        Api.Response elsewhere = api.post("/api/v1/tenants", "{\"name\":\"" + two + "\",\"cluster\":\"main\"}", "Idempotency-Key", key);
        Api.Response otherCollection = api.post("/api/v1/roles", "{\"name\":\"" + two + "\",\"scopes\":[]}", "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(422);
        assertThat(elsewhere.json().path("type").asString()).isEqualTo("/problems/idempotency-key-reused");
        assertThat(otherCollection.status()).isEqualTo(422);
        assertThat(api.get("/api/v1/tenants/" + two).status()).isEqualTo(404);
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + two)).isZero();
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "role/" + two)).isZero();
    }

    @Test
    void concurrentRequestsWithOneKey_areOneCommand_andADifferentBodyIs422NotTheFirstAnswer() throws Exception {
        String name = unique("idem-race");
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        String path = "/api/v1/tenants/" + name;
        String key = unique("race");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Callable<Api.Response>> requests = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // Two bodies under one key, sent at once: whichever is claimed first is the only command.
                String body = "{\"display_name\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}";
                requests.add(() -> api.put(path, body, "If-Match", "*", "Idempotency-Key", key));
            }
            List<Api.Response> answers = new ArrayList<>();
            for (Future<Api.Response> answer : pool.invokeAll(requests)) {
                answers.add(answer.get());
            }
            List<Api.Response> accepted = answers.stream().filter(a -> a.status() == 200).toList();
            List<Api.Response> refused = answers.stream().filter(a -> a.status() == 422).toList();
            assertThat(accepted.size() + refused.size()).as(answers.toString()).isEqualTo(12);
            assertThat(accepted).extracting(a -> a.json().path("display_name").asString()).containsOnly(
                    accepted.getFirst().json().path("display_name").asString());
            assertThat(refused).allSatisfy(r -> assertThat(r.json().path("type").asString()).isEqualTo("/problems/idempotency-key-reused"));
            assertThat(accepted).extracting(a -> a.header("ETag")).containsOnly("\"2\"");
        } finally {
            pool.shutdown();
        }
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "tenant/" + name)).isEqualTo(2);
    }
}
