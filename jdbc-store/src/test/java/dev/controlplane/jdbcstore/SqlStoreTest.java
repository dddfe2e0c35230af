package dev.controlplane.jdbcstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.controlplane.jdbcstore.TestDatabases.Engine;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's own parts on both engines: Flyway migrations, projector positions, dead letters. */
class SqlStoreTest {

    @ParameterizedTest
    @EnumSource(Engine.class)
    void instancesOpeningOneStoreAtOnce_applyEachMigrationOnce(Engine engine) throws Exception {
        Database database = TestDatabases.fresh(engine);
        int instances = 4;
        CountDownLatch ready = new CountDownLatch(instances);
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        List<SqlStore> stores = new ArrayList<>();
        try {
            List<Future<?>> migrations = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                SqlStore store = SqlStore.open(database, "probe", 1);
                stores.add(store);
                migrations.add(pool.submit((Callable<Void>) () -> {
                    ready.countDown();
                    ready.await();
                    store.migrate();
                    return null;
                }));
            }
            for (Future<?> migration : migrations) {
                migration.get();
            }
            SqlStore store = stores.getFirst();
            assertThat(store.<List<String>>read(c -> {
                List<String> applied = new ArrayList<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
                    while (rs.next()) {
                        applied.add(rs.getString(1));
                    }
                }
                return applied;
            })).containsExactlyElementsOf(engine == Engine.POSTGRESQL ? List.of("0.1", "0.2", "1", "2") : List.of("0.1", "1", "2"));
            store.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note, extra) VALUES (1, 'a', 'b')"));
            store.migrate();
        } finally {
            pool.shutdownNow();
            stores.forEach(SqlStore::close);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void positionsNeverMoveBackwards(Engine engine) throws Exception {
        try (SqlStore store = SqlStore.open(TestDatabases.fresh(engine), "probe", 1)) {
            store.migrate();
            new SqlStore.Checkpoint("p", "t", Map.of(0, 10L, 1, 3L)).save(store);
            new SqlStore.Checkpoint("p", "t", Map.of(0, 5L, 1, 7L)).save(store);
            new SqlStore.Checkpoint("other", "t", Map.of(0, 1L)).save(store);
            assertThat(store.positions("p", "t")).isEqualTo(Map.of(0, 10L, 1, 7L));
            assertThat(store.positions("other", "t")).isEqualTo(Map.of(0, 1L));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aDeadLetterKeepsItsCoordinates_once_withAKeyMadeStorable(Engine engine) throws Exception {
        try (SqlStore store = SqlStore.open(TestDatabases.fresh(engine), "probe", 1)) {
            store.migrate();
            String key = "k\u0000" + "x".repeat(1000);
            store.deadLetter("p", "t", 2, 41, key, "unreadable: " + "e".repeat(1000));
            store.deadLetter("p", "t", 2, 41, key, "again");
            assertThat(store.deadLetters()).singleElement().satisfies(letter -> {
                assertThat(letter).containsEntry("partition", 2).containsEntry("offset", 41L);
                assertThat((String) letter.get("key")).hasSize(300).doesNotContain("\u0000");
                assertThat((String) letter.get("error")).hasSize(500);
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aWriteThatFails_leavesNothingBehind(Engine engine) throws Exception {
        try (SqlStore store = SqlStore.open(TestDatabases.fresh(engine), "probe", 1)) {
            store.migrate();
            assertThatThrownBy(() -> store.write(c -> {
                new SqlStore.Checkpoint("p", "t", Map.of(0, 10L)).save(c);
                c.createStatement().executeUpdate("INSERT INTO probe (id, note) VALUES (1, 'a')");
                return c.createStatement().executeUpdate("INSERT INTO probe (id, note) VALUES (1, 'again')");
            })).isInstanceOf(java.sql.SQLException.class);
            assertThat(store.positions("p", "t")).isEmpty();
            assertThat(store.<Integer>read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM probe")) {
                    rs.next();
                    return rs.getInt(1);
                }
            })).isZero();
        }
    }
}
