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
            })).containsExactly("0.1", "1", "2");
            store.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note, extra) VALUES (1, 'a', 'b')"));
            store.migrate();
        } finally {
            pool.shutdownNow();
            stores.forEach(SqlStore::close);
        }
    }

    /**
     * Several stores opening one new SQLite file at once, each with its reader pool connecting in the background: the
     * first connections race to put the file into WAL mode, which SQLite answers with an immediate "database is locked"
     * (no busy wait: both hold a read lock and want to write). Opening must not fail for that.
     */
    @org.junit.jupiter.api.RepeatedTest(10)
    void storesOpeningOneNewSqliteFileAtOnce_allOpen() throws Exception {
        Database database = TestDatabases.fresh(Engine.SQLITE);
        int instances = 6;
        CountDownLatch ready = new CountDownLatch(instances);
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        List<Future<SqlStore>> opened = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                opened.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    SqlStore store = SqlStore.open(database, "probe", 4);
                    store.read(c -> c.createStatement().executeQuery("SELECT 1").next());
                    return store;
                }));
            }
            for (Future<SqlStore> store : opened) {
                assertThat(store.get().<String>read(c -> {
                    try (ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
                        rs.next();
                        return rs.getString(1);
                    }
                })).isEqualToIgnoringCase("wal");
            }
        } finally {
            pool.shutdownNow();
            for (Future<SqlStore> store : opened) {
                try {
                    store.get().close();
                } catch (java.util.concurrent.ExecutionException e) {
                    // that one failed to open: the assertion above reports it
                }
            }
        }
    }

    /** A service started with {@code admin.database.migrate=false} refuses a store its migrations have not reached. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void withoutMigrating_aStoreNotUpToDate_isRefused_andOneUpToDateIsAccepted(Engine engine) {
        Database database = TestDatabases.fresh(engine);
        assertThatThrownBy(() -> SqlStore.migrate(database, "probe", false))
                .hasMessageContaining("validation of store probe failed").hasMessageContaining("migrate");
        SqlStore.migrate(database, "probe", true);
        SqlStore.migrate(database, "probe", false);
    }

    /**
     * Two processes (two stores, each its own sessions) asking to rebuild one PostgreSQL store: the second is refused
     * while the first's copy exists, rather than dropping it, and may once the first has dropped it.
     */
    @org.junit.jupiter.api.Test
    void aSecondRebuildOfOneStore_isRefusedWhileTheFirstsCopyExists() throws Exception {
        Database database = TestDatabases.withServiceRole();
        SqlStore.migrate(database, "probe", true);
        try (SqlStore one = SqlStore.open(database, "probe", 1); SqlStore other = SqlStore.open(database, "probe", 1)) {
            SqlStore copy = one.openShadow();
            try {
                copy.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note, extra) VALUES (1, 'a', 'b')"));
                assertThatThrownBy(other::openShadow).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("being rebuilt by another process");
                assertThat(copy.<Integer>read(c -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM probe")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                })).isEqualTo(1);
            } finally {
                copy.discard();
            }
            other.openShadow().discard();
        }
    }

    /** A SQLite store the runner before Flyway made keeps its rows and gets the scripts it lacks. */
    @org.junit.jupiter.api.Test
    void aStoreMigratedBeforeFlyway_isTakenOver_keepingItsRows() throws Exception {
        Database database = TestDatabases.fresh(Engine.SQLITE);
        try (java.sql.Connection old = java.sql.DriverManager.getConnection(database.url()); Statement st = old.createStatement()) {
            st.execute("CREATE TABLE schema_migrations (script VARCHAR(200) PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)");
            st.execute("INSERT INTO schema_migrations VALUES ('~lock', 'then'), ('V1__probe.sql', 'then')");
            st.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
            st.execute("CREATE TABLE projector_positions (projector VARCHAR(200) NOT NULL, topic VARCHAR(250) NOT NULL,"
                    + " partition_id INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (projector, topic, partition_id))");
            st.execute("INSERT INTO probe VALUES (1, 'kept')");
        }
        try (SqlStore store = SqlStore.open(database, "probe", 1)) {
            store.migrate();
            store.write(c -> c.createStatement().executeUpdate("UPDATE probe SET extra = 'v2 applied' WHERE id = 1"));
            assertThat(store.<String>read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT note || ' ' || extra FROM probe")) {
                    rs.next();
                    return rs.getString(1);
                }
            })).isEqualTo("kept v2 applied");
        }
    }

    /** A PostgreSQL restart or failover cuts the writer's connection: that write fails, the next reconnects. */
    @org.junit.jupiter.api.Test
    void aWriterWhoseConnectionWasCut_failsThatWrite_andReconnectsForTheNext() throws Exception {
        Database database = TestDatabases.fresh(Engine.POSTGRESQL);
        try (SqlStore store = SqlStore.open(database, "probe", 1); java.sql.Connection admin = TestDatabases.asSuperuser(database, "probe")) {
            store.migrate();
            store.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note) VALUES (1, 'before')"));
            try (Statement st = admin.createStatement()) {
                st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'controlplane-probe-writer'");
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'controlplane-probe-writer'")) {
                    rs.next();
                    return rs.getInt(1) == 0;
                }
            });
            assertThatThrownBy(() -> store.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note) VALUES (2, 'cut')")))
                    .isInstanceOf(java.sql.SQLException.class);
            store.write(c -> c.createStatement().executeUpdate("INSERT INTO probe (id, note) VALUES (3, 'after')"));
            assertThat(store.<Integer>read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM probe")) {
                    rs.next();
                    return rs.getInt(1);
                }
            })).isEqualTo(2);
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
