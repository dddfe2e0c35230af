package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The jar that {@code ./dev run} starts, in a process of its own (its own classpath, not the tests'): it serves
 * and stops cleanly on SIGTERM; and killed with SIGKILL in the middle of concurrent writes, it comes back with
 * every acknowledged write, each resource's versions without a gap or a repeat, and one audit record per event.
 */
class ExecutableJarIT {

    @Test
    void theExecutableJar_startsServesAndStopsCleanly() throws Exception {
        assertThat(JarProcess.JAR).exists();
        Path dataDir = TestSystem.newDataDir();
        try (JarProcess jar = JarProcess.start(dataDir)) {
            Api.Response created = jar.api().post("/api/v1/clusters", "{\"name\":\"from-the-jar\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(jar.stop()).as("stops within a minute of SIGTERM").isTrue();
            assertThat(jar.log()).doesNotContain("NoClassDefFoundError").doesNotContain("ClassNotFoundException")
                    // A console to read: Kafka's clients and Streams, the pool and the migrations keep to their warnings.
                    .doesNotContainPattern("INFO .*(o\\.a\\.k\\.|org\\.apache\\.kafka|c\\.z\\.h\\.|com\\.zaxxer|o\\.f\\.c\\.|org\\.flywaydb)");
        }
        assertThat(readableByOthers(dataDir)).as("files and directories others may read").isEmpty();
    }

    /** Everything under the data directory that its group or others may read, write or enter (the test's log aside). */
    private static List<String> readableByOthers(Path dataDir) throws java.io.IOException {
        Set<PosixFilePermission> foreign = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        try (Stream<Path> paths = Files.walk(dataDir)) {
            return paths.filter(path -> !path.getFileName().toString().equals("out.log"))
                    .filter(path -> {
                        try {
                            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
                            return permissions.stream().anyMatch(foreign::contains);
                        } catch (java.io.IOException e) {
                            return true;
                        }
                    })
                    .map(path -> dataDir.relativize(path) + " " + permissionsOf(path)).toList();
        }
    }

    private static String permissionsOf(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    @Test
    void killedMidWrite_itLosesNoAcknowledgedWrite_andRepeatsNoEvent() throws Exception {
        Path dataDir = TestSystem.newDataDir();
        int writers = 8;
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (JarProcess jar = JarProcess.start(dataDir)) {
            Api api = jar.api();
            assertThat(api.post("/api/v1/clusters", "{\"name\":\"main\"}").status()).isEqualTo(201);
            for (int w = 0; w < writers; w++) {
                assertThat(api.post("/api/v1/tenants", "{\"name\":\"crash-" + w + "\",\"cluster\":\"main\"}").status()).isEqualTo(201);
                acknowledged.put("crash-" + w, 1L);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger writes = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String name = "crash-" + w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (running.get()) {
                            long version = acknowledged.get(name);
                            Api.Response put = api.put("/api/v1/tenants/" + name, "{\"display_name\":\"v" + (version + 1) + "\"}",
                                    "If-Match", "\"" + version + "\"");
                            if (put.status() == 200) {
                                acknowledged.put(name, Long.parseLong(put.header("ETag").replace("\"", "")));
                                writes.incrementAndGet();
                            }
                        }
                    } catch (RuntimeException e) {
                        // the process is gone: this writer's last acknowledged version stands
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> writes.get() >= 200);
            jar.kill();
            running.set(false);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }

        try (JarProcess restarted = JarProcess.start(dataDir)) {
            Api api = restarted.api();
            // After a kill the processor first waits out the dead member's session and restores its state; until
            // it decides again, writes answer 202 (and are decided later).
            AtomicInteger probes = new AtomicInteger();
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    api.post("/api/v1/clusters", "{\"name\":\"probe-" + probes.incrementAndGet() + "\"}").status() == 201);
            for (Map.Entry<String, Long> tenant : acknowledged.entrySet()) {
                String path = "/api/v1/tenants/" + tenant.getKey();
                // Writes decided just before the kill, whose answers never arrived, are durable too: the processor
                // says which version it is at, and it is never below the last one acknowledged.
                Api.Response probe = api.put(path, "{\"display_name\":\"probe\"}", "If-Match", "\"" + tenant.getValue() + "\"");
                long current = probe.status() == 200 ? tenant.getValue() : probe.json().path("current_version").asLong();
                assertThat(probe.status()).as(probe.body()).isIn(200, 412);
                assertThat(current).as(tenant.getKey() + " keeps acknowledged version " + tenant.getValue())
                        .isGreaterThanOrEqualTo(tenant.getValue());
                long latest = probe.status() == 200 ? current + 1 : current;
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(api.get(path + "?min_version=" + latest).header("ETag")).isEqualTo("\"" + latest + "\""));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode history = api.get(path + "/history?limit=1000").json().path("items");
                    List<Long> versions = new ArrayList<>();
                    history.forEach(event -> versions.add(event.path("version").asLong()));
                    assertThat(versions).as("versions without gap or repeat")
                            .isEqualTo(LongStream.rangeClosed(1, latest).boxed().toList());
                });
            }
            assertThat(restarted.stop()).isTrue();
        }
    }
}
