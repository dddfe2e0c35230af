package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.Rebuilds;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.queryservice.resources.ResourceReadModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One rebuild of a store at a time; a store nobody declared is unknown; a rebuild given up leaves no copy behind. */
class RebuildsTest {

    @Test
    void aSecondRebuildWhileOneRuns_isRefused_andOneGivenUp_dropsItsCopy() throws Exception {
        Database database = TestDatabases.fresh(TestDatabases.Engine.SQLITE);
        Path file = Path.of(database.url().substring("jdbc:sqlite:".length()));
        try (SqlStore live = SqlStore.open(database, "read-model", 1)) {
            new ResourceReadModel(live);
            CountDownLatch copying = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            StoreRebuild.Target target = StoreRebuild.Target.of("read-model", live, shadow -> {
                copying.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }, shadow -> {
            });
            // Never reached: the rebuild is given up before it reads the log.
            Rebuilds rebuilds = new Rebuilds(List.of(target), KafkaSettings.singleBroker("127.0.0.1:9", 1));
            assertThat(rebuilds.start("read-model")).isInstanceOf(Rebuilds.Start.Started.class);
            assertThat(copying.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(Path.of(file + ".rebuild"))).isTrue();
            assertThat(rebuilds.start("read-model")).isInstanceOf(Rebuilds.Start.AlreadyRunning.class);
            assertThat(rebuilds.start("audit")).isInstanceOf(Rebuilds.Start.Unknown.class);

            // Closing gives the rebuild up (as a stopping process does), the copy still being made.
            rebuilds.close();
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> rebuilds.progress("read-model").orElseThrow().state()
                    == StoreRebuild.State.FAILED);
            assertThat(Files.exists(Path.of(file + ".rebuild"))).isFalse();
            assertThat(rebuilds.progress("read-model").orElseThrow().finishedAt()).isNotNull();
            assertThat(rebuilds.progress("read-model").orElseThrow().error()).isEqualTo("cancelled");
        }
    }
}
