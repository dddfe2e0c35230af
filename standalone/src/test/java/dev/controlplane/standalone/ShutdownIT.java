package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A stop in the middle of writes: every request that gets an answer gets a true one (200, or 202 for a command on
 * the log not yet decided), never "nothing was changed" for a write that happened; after a restart every
 * acknowledged version is there.
 */
class ShutdownIT {

    @Test
    void aStopUnderLoad_answersInFlightWritesTruthfully() throws Exception {
        Path dir = TestSystem.newDataDir();
        Standalone system = TestSystem.withMainCluster(TestSystem.start(dir));
        Api api = Api.of(system);
        int writers = 8;
        for (int w = 0; w < writers; w++) {
            assertThat(api.post("/api/v1/tenants", "{\"name\":\"stop-" + w + "\",\"cluster\":\"main\"}").status()).isEqualTo(201);
        }
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        List<Api.Response> untrue = new CopyOnWriteArrayList<>();
        AtomicBoolean go = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        for (int w = 0; w < writers; w++) {
            String name = "stop-" + w;
            pool.submit(() -> {
                for (int i = 0; go.get(); i++) {
                    Api.Response answer;
                    try {
                        answer = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"n" + i + "\"}", "If-Match", "*");
                    } catch (RuntimeException refused) {
                        return; // the server stopped accepting connections: no answer, no claim
                    }
                    if (answer.status() == 200) {
                        acknowledged.merge(name, Long.parseLong(answer.header("ETag").replace("\"", "")), Math::max);
                    } else if (answer.status() != 202) {
                        untrue.add(answer);
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() == writers);
        system.close();
        go.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(untrue).as("answers other than 200 or 202 while stopping").allSatisfy(answer ->
                assertThat(answer.body()).doesNotContain("nothing was changed"));
        Standalone restarted = TestSystem.start(dir);
        try {
            Api after = Api.of(restarted);
            for (var write : acknowledged.entrySet()) {
                Api.Response read = after.get("/api/v1/tenants/" + write.getKey());
                assertThat(read.status()).isEqualTo(200);
                assertThat(Long.parseLong(read.header("ETag").replace("\"", ""))).as(write.getKey()).isGreaterThanOrEqualTo(write.getValue());
            }
        } finally {
            restarted.close();
        }
    }
}
