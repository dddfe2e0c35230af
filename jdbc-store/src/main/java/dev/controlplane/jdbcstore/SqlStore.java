package dev.controlplane.jdbcstore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * One SQL database: a small pool for readers and a single dedicated writer connection. A projector is the only
 * writer of its store (SQLite allows one writer per file), so writes are serialized here rather than in the DB.
 */
public final class SqlStore implements AutoCloseable {

    /** Work done inside one write transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public enum Dialect { SQLITE, POSTGRESQL }

    private final Database database;
    private final String name;
    private final HikariDataSource readers;
    private final Properties writerProperties;
    private Connection writer;
    private boolean migrated;

    private SqlStore(Database database, String name, HikariDataSource readers, Properties writerProperties, Connection writer) {
        this.database = database;
        this.name = name;
        this.readers = readers;
        this.writerProperties = writerProperties;
        this.writer = writer;
    }

    /**
     * Opens store {@code name} ({@code audit}, {@code read-model}, {@code webhooks}): on PostgreSQL the schema of that
     * name (with {@code _} for {@code -}), on SQLite the file of the URL. {@link #migrate()} creates its tables.
     */
    public static SqlStore open(Database database, String name, int readerPoolSize) {
        Dialect dialect = database.dialect();
        if (dialect == Dialect.SQLITE) {
            prepareFile(sqliteFile(database.url()));
        }
        Properties props = connectionProperties(dialect, database.username(), database.password(), schema(name));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setDataSourceProperties(props);
        config.setMaximumPoolSize(readerPoolSize);
        config.setPoolName("readers-" + name);
        try {
            Properties writerProperties = writerProperties(props, dialect, name);
            return new SqlStore(database, name, new HikariDataSource(config), writerProperties, connect(database.url(), writerProperties));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open store " + name + " at " + redacted(database.url()), e);
        }
    }

    private static String schema(String name) {
        return name.replace('-', '_');
    }

    private static Path sqliteFile(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        return Path.of(query < 0 ? file : file.substring(0, query)).toAbsolutePath().normalize();
    }

    private static Properties connectionProperties(Dialect dialect, String username, String password, String schema) {
        Properties props = new Properties();
        if (dialect == Dialect.SQLITE) {
            props.put("journal_mode", "WAL");
            // FULL cost nothing measurable on this append path (shared/MEASURED.md) and survives power loss.
            props.put("synchronous", "FULL");
            // Waited out when a write transaction starts with a write. One that reads first and then writes fails at
            // once (SQLITE_BUSY_SNAPSHOT) if another process wrote in between: write transactions here start with a write.
            props.put("busy_timeout", "5000");
        } else {
            if (username != null) {
                props.put("user", username);
            }
            if (password != null) {
                props.put("password", password);
            }
            props.put("currentSchema", schema);
            // A plan per execution, for the readers and the writer alike. pgjdbc switches a statement to a generic plan
            // after five executions, and a generic plan knows neither which actor or action is rare (the combined
            // audit filter went from 1.7 ms to 238 ms, MEASURED.md) nor that "id > ?" asks for the last few rows.
            props.put("options", "-c plan_cache_mode=force_custom_plan");
        }
        return props;
    }

    /** The writer's: its batches of inserts become multi-row inserts on PostgreSQL (several times the rows per second). */
    private static Properties writerProperties(Properties common, Dialect dialect, String name) {
        Properties props = new Properties();
        props.putAll(common);
        if (dialect == Dialect.POSTGRESQL) {
            props.put("reWriteBatchedInserts", "true");
            props.put("ApplicationName", "controlplane-" + name + "-writer");
        } else {
            // Ten indexes on the audit records: a larger page cache than SQLite's 2 MiB keeps their upper levels in memory.
            props.put("cache_size", "-32768");
        }
        return props;
    }

    /**
     * Creates the database file readable by its owner only (600) before SQLite opens it: SQLite gives its WAL and
     * shared-memory files the permissions of the database file, so none of the three is readable by others.
     */
    private static void prepareFile(Path path) {
        try {
            Files.createDirectories(path.getParent());
            if (Files.notExists(path)) {
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(path);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // created meanwhile by another opener of the same store
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per partition, the offset {@code projector} reads next in {@code topic}, as of the last committed write. */
    public java.util.Map<Integer, Long> positions(String projector, String topic) throws SQLException {
        return read(connection -> {
            java.util.Map<Integer, Long> positions = new java.util.HashMap<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT partition_id, next_offset FROM projector_positions WHERE projector = ? AND topic = ?")) {
                ps.setString(1, projector);
                ps.setString(2, topic);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            return positions;
        });
    }

    /**
     * How far a projector got in a topic: per partition, the offset it reads next. Saved in the same transaction as
     * the rows it applied, so the store's rows and its position never disagree.
     */
    public record Checkpoint(String projector, String topic, java.util.Map<Integer, Long> next) {

        /** For writes that are not a projector's (tests, tools). */
        public static final Checkpoint NONE = new Checkpoint("", "", java.util.Map.of());

        /** Inside a write transaction of the store. */
        public void save(Connection connection) throws SQLException {
            savePositions(connection, projector, topic, next);
        }

        /** In a transaction of its own: a batch with nothing left to apply (each record a dead letter) still moves on. */
        public void save(SqlStore store) throws SQLException {
            store.write(connection -> {
                save(connection);
                return null;
            });
        }
    }

    private static void savePositions(Connection connection, String projector, String topic, java.util.Map<Integer, Long> next)
            throws SQLException {
        if (next.isEmpty()) {
            return;
        }
        // Never backwards: a projector that lost its place (a zombie, a second writer of a shared store) cannot undo another's progress.
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO projector_positions (projector, topic, partition_id, next_offset)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (projector, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset"
                + " WHERE excluded.next_offset > projector_positions.next_offset")) {
            for (var entry : next.entrySet()) {
                ps.setString(1, projector);
                ps.setString(2, topic);
                ps.setInt(3, entry.getKey());
                ps.setLong(4, entry.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public void deadLetter(String projector, String topic, int partition, long offset, String key, String error) throws SQLException {
        write(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO projector_dead_letters (projector, topic, partition_id,"
                    + " record_offset, record_key, error, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (projector, topic, partition_id, record_offset) DO NOTHING")) {
                ps.setString(1, projector);
                ps.setString(2, topic);
                ps.setInt(3, partition);
                ps.setLong(4, offset);
                // A key is the producer's: kept short and printable, so the row itself can never be refused.
                ps.setString(5, key == null ? null : key.replace("\u0000", "").substring(0, Math.min(key.replace("\u0000", "").length(), 300)));
                ps.setString(6, error.substring(0, Math.min(error.length(), 500)));
                ps.setString(7, java.time.Instant.now().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The dead letters of every projector writing this store, oldest first. */
    public List<java.util.Map<String, Object>> deadLetters() throws SQLException {
        return read(connection -> {
            List<java.util.Map<String, Object>> letters = new ArrayList<>();
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT projector, topic, partition_id,"
                    + " record_offset, record_key, error, recorded_at FROM projector_dead_letters ORDER BY recorded_at")) {
                while (rs.next()) {
                    java.util.Map<String, Object> letter = new java.util.LinkedHashMap<>();
                    letter.put("projector", rs.getString(1));
                    letter.put("topic", rs.getString(2));
                    letter.put("partition", rs.getInt(3));
                    letter.put("offset", rs.getLong(4));
                    letter.put("key", rs.getString(5));
                    letter.put("error", rs.getString(6));
                    letter.put("recorded_at", rs.getString(7));
                    letters.add(letter);
                }
            }
            return letters;
        });
    }

    public Dialect dialect() {
        return database.dialect();
    }

    public DataSource readers() {
        return readers;
    }

    /**
     * Runs {@code work} in one transaction on the writer connection and commits it. A connection the database or the
     * network cut (a PostgreSQL restart or failover) fails this write and is replaced for the next: the projectors
     * retry a write that failed, so they carry on once the database is back.
     */
    public synchronized <T> T write(Work<T> work) throws SQLException {
        if (writer == null) {
            writer = connect(database.url(), writerProperties);
        }
        Connection connection = writer;
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            if (broken(connection, e)) {
                writer = null;
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // it is gone already
                }
            }
            throw e;
        }
    }

    private static boolean broken(Connection connection, Exception failure) {
        if (failure instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    private static Connection connect(String url, Properties properties) throws SQLException {
        Connection connection = DriverManager.getConnection(url, properties);
        connection.setAutoCommit(false);
        return connection;
    }

    /** Runs a read on a pooled connection. */
    public <T> T read(Work<T> work) throws SQLException {
        try (Connection connection = readers.getConnection()) {
            return work.run(connection);
        }
    }

    /**
     * Applies with Flyway, once each and in order, the projector bookkeeping ({@code classpath:migrations/bookkeeping/})
     * and this store's scripts ({@code classpath:migrations/<store>/}, see {@link #locations}), as the owner role. On
     * PostgreSQL the scripts grant the services' role ({@code ${app_role}}) what it needs and nothing more.
     * Several instances may open one store at once (two dispatchers): on PostgreSQL Flyway serializes them with an
     * advisory lock; SQLite has none, so a lock file beside the database does.
     */
    public synchronized void migrate() {
        // Once per store opened: the webhook store's three classes each ask for it.
        if (!migrated) {
            migrate(database, name, database.migrates());
            migrated = true;
        }
    }

    /**
     * Brings store {@code name} of {@code database} up to date ({@code apply}), or only checks that it is (Flyway's
     * validate, as the services' role: it fails on a script not yet applied).
     */
    public static void migrate(Database database, String name, boolean apply) {
        Dialect dialect = database.dialect();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setDataSourceProperties(apply
                ? connectionProperties(dialect, database.migrationUsername(), database.migrationPassword(), schema(name))
                : connectionProperties(dialect, database.username(), database.password(), schema(name)));
        config.setMaximumPoolSize(2);
        config.setPoolName("migrations-" + name);
        try (HikariDataSource owner = new HikariDataSource(config)) {
            var flyway = org.flywaydb.core.Flyway.configure()
                    .dataSource(owner)
                    .locations(locations(name, dialect.name().toLowerCase(java.util.Locale.ROOT)))
                    .placeholders(java.util.Map.of("app_role", database.username() == null ? "CURRENT_USER"
                            : '"' + database.username().replace("\"", "\"\"") + '"'))
                    .failOnMissingLocations(false);
            if (dialect == Dialect.POSTGRESQL) {
                flyway.schemas(schema(name));
            }
            String legacy = apply && dialect == Dialect.SQLITE ? legacyVersion(owner) : null;
            if (legacy != null) {
                // A store the hand-written runner made before Flyway: its scripts up to that version are applied.
                flyway.baselineOnMigrate(true).baselineVersion(legacy);
            }
            org.flywaydb.core.Flyway loaded = flyway.load();
            if (!apply) {
                loaded.validate();
            } else if (dialect == Dialect.POSTGRESQL) {
                loaded.migrate();
            } else {
                withFileLock(sqliteFile(database.url()), loaded::migrate);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException((apply ? "migration" : "validation") + " of store " + name + " failed on "
                    + redacted(database.url()) + (apply ? "" : ": run the migrations (java -jar standalone.jar migrate)"), e);
        }
    }

    /**
     * The highest version the migration runner before Flyway recorded ({@code schema_migrations}, {@code V2__x.sql}),
     * when Flyway has not taken the store over yet; else null.
     */
    private static String legacyVersion(DataSource owner) {
        try (Connection connection = owner.getConnection(); Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN"
                    + " ('schema_migrations', 'flyway_schema_history')")) {
                List<String> tables = new ArrayList<>();
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
                if (!tables.equals(List.of("schema_migrations"))) {
                    return null;
                }
            }
            int highest = 0;
            try (ResultSet rs = st.executeQuery("SELECT script FROM schema_migrations WHERE script LIKE 'V%'")) {
                while (rs.next()) {
                    String script = rs.getString(1);
                    if (script.contains("__")) {
                        highest = Math.max(highest, Integer.parseInt(script.substring(1, script.indexOf("__"))));
                    }
                }
            }
            return highest == 0 ? null : String.valueOf(highest);
        } catch (SQLException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the store's migration history", e);
        }
    }

    /** A JDBC URL without its parameters, which may hold a password. */
    static String redacted(String url) {
        int query = url == null ? -1 : url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    /**
     * The bookkeeping's scripts and this store's: those the dialects share ({@code common}) and the dialect's own.
     * Versions interleave across them, so a shared script can be followed by one dialect's grants. A folder may be
     * missing (a store without shared scripts).
     */
    private static String[] locations(String name, String dialect) {
        List<String> locations = new ArrayList<>();
        for (String store : List.of("bookkeeping", name)) {
            for (String folder : List.of("common", dialect)) {
                locations.add("classpath:migrations/" + store + "/" + folder);
            }
        }
        return locations.toArray(String[]::new);
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> MIGRATING = new java.util.concurrent.ConcurrentHashMap<>();

    private static void withFileLock(Path database, Runnable work) {
        Path lockFile = database.normalize().resolveSibling(database.getFileName() + ".migrate-lock");
        // A file lock is held by the JVM, not the thread: two stores of one JVM on one file also wait for each other here.
        synchronized (MIGRATING.computeIfAbsent(lockFile, path -> new Object())) {
            prepareFile(lockFile);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock ignored = channel.lock()) {
                work.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void close() {
        readers.close();
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (SQLException ignored) {
            // closing on shutdown: nothing left to protect
        }
    }
}
