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
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
    private final String schema;
    private final int readerPoolSize;
    private final Properties writerProperties;
    /** Held by every write; a {@link #freeze} of a SQLite store takes it whole, so that nothing commits meanwhile. */
    private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();
    /** Held by every read and write; taken whole only for the moment a rebuilt file replaces the live one. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private volatile HikariDataSource readers;
    private volatile Connection writer;
    private volatile boolean closed;
    /** A rebuild's copy on PostgreSQL: the connection holding its process's claim on it ({@link #rebuildLock}). */
    private volatile Connection rebuildLock;
    private boolean migrated;

    /** The SQLite stores open in this JVM, by file: a rebuild of a file holds all of them while it replaces it. */
    private static final Map<Path, Set<SqlStore>> OPEN_FILES = new ConcurrentHashMap<>();

    private SqlStore(Database database, String name, String schema, int readerPoolSize) throws SQLException {
        if (!schema.matches("[a-z][a-z0-9_]{0,62}")) {
            // It is written into SQL as an identifier (schemas, renames): only plain lower-case names.
            throw new IllegalArgumentException("not a store name: " + name);
        }
        this.database = database;
        this.name = name;
        this.schema = schema;
        this.readerPoolSize = readerPoolSize;
        this.writerProperties = writerProperties(connectionProperties(database.dialect(), database.username(),
                database.password(), schema), database.dialect(), name);
        this.readers = readerPool();
        try {
            this.writer = connect(database.url(), writerProperties);
        } catch (SQLException e) {
            readers.close();
            throw e;
        }
        if (database.dialect() == Dialect.SQLITE) {
            OPEN_FILES.computeIfAbsent(sqliteFile(database.url()), file -> ConcurrentHashMap.newKeySet()).add(this);
        }
    }

    private HikariDataSource readerPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setDataSourceProperties(connectionProperties(database.dialect(), database.username(), database.password(), schema));
        config.setMaximumPoolSize(readerPoolSize);
        config.setPoolName("readers-" + schema);
        // Connects when first asked: a pool reopened after a rebuild's switch cannot fail the switch itself.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /**
     * Opens store {@code name} ({@code audit}, {@code read-model}, {@code webhooks}): on PostgreSQL the schema of that
     * name (with {@code _} for {@code -}), on SQLite the file of the URL. {@link #migrate()} creates its tables.
     */
    public static SqlStore open(Database database, String name, int readerPoolSize) {
        if (database.dialect() == Dialect.SQLITE) {
            prepareFile(sqliteFile(database.url()));
            enterWalMode(database.url());
        }
        try {
            return new SqlStore(database, name, schema(name), readerPoolSize);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open store " + name + " at " + redacted(database.url()), e);
        }
    }

    /**
     * An empty copy of this store beside it, migrated, for a rebuild to fill: on PostgreSQL the schema
     * {@code <schema>_rebuild}, on SQLite the file {@code <file>.rebuild}. What an earlier rebuild left there (one that
     * failed, or whose process died) is dropped first. {@link Freeze#replaceWith} puts it in this store's place.
     */
    public SqlStore openShadow() throws SQLException {
        Database shadowDatabase;
        Connection lock = null;
        String shadowSchema = schema + "_rebuild";
        if (dialect() == Dialect.SQLITE) {
            Path file = sqliteFile(database.url());
            for (SqlStore other : OPEN_FILES.getOrDefault(file, Set.of())) {
                if (!other.name.equals(name)) {
                    throw new IllegalStateException("store " + name + " shares its file with store " + other.name
                            + ": a rebuild would replace both; give each store a file of its own");
                }
            }
            Path shadowFile = file.resolveSibling(file.getFileName() + ".rebuild");
            deleteSqliteFiles(shadowFile);
            shadowDatabase = new Database("jdbc:sqlite:" + shadowFile, database.username(), database.password(),
                    database.ownerUsername(), database.ownerPassword(), true);
            prepareFile(shadowFile);
            enterWalMode(shadowDatabase.url());
        } else {
            lock = rebuildLock(shadowSchema);
            try (Connection owner = ownerConnection(); Statement st = owner.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + shadowSchema + " CASCADE");
                owner.commit();
            } catch (SQLException e) {
                lock.close();
                throw e;
            }
            shadowDatabase = new Database(database.url(), database.username(), database.password(),
                    database.ownerUsername(), database.ownerPassword(), true);
        }
        SqlStore shadow;
        try {
            shadow = new SqlStore(shadowDatabase, name, shadowSchema, 1);
        } catch (SQLException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
        shadow.rebuildLock = lock;
        try {
            shadow.migrate();
        } catch (RuntimeException e) {
            try {
                shadow.discard();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return shadow;
    }

    /**
     * On PostgreSQL a copy is one process's: a session lock (held by a connection of its own, outside any transaction, so
     * that it holds back no vacuum) from before the copy's schema is dropped and made again until the copy is closed,
     * switched in or dropped. A second process asking to rebuild the same store is refused rather than dropping the
     * first one's copy under it.
     */
    private Connection rebuildLock(String shadowSchema) throws SQLException {
        Connection lock = ownerConnection();
        try {
            lock.setAutoCommit(true);
            try (PreparedStatement ps = lock.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                ps.setString(1, "controlplane-rebuild:" + shadowSchema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new IllegalStateException("store " + name + " is being rebuilt by another process");
                    }
                }
            }
            return lock;
        } catch (SQLException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Closes a copy {@link #openShadow} made and drops it: a rebuild that failed or was given up leaves nothing. */
    public void discard() throws SQLException {
        if (!schema.endsWith("_rebuild")) {
            throw new IllegalStateException("only a rebuild's copy is discarded, not store " + schema);
        }
        // The claim on the copy outlasts its drop: another process's rebuild must not make it again in between.
        Connection lock = rebuildLock;
        rebuildLock = null;
        close();
        try {
            if (dialect() == Dialect.SQLITE) {
                Path file = sqliteFile(database.url());
                deleteSqliteFiles(file);
            } else {
                try (Connection owner = ownerConnection(); Statement st = owner.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    owner.commit();
                }
            }
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private Connection ownerConnection() throws SQLException {
        return connect(database.url(), connectionProperties(dialect(), database.migrationUsername(),
                database.migrationPassword(), schema));
    }

    /** The name of the store ({@code audit}): what its migrations are filed under. */
    public String name() {
        return name;
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
     * Puts a SQLite file into WAL mode on the opening thread, before any pool connects. A store's reader pool
     * connects in the background, so otherwise its first connections and the writer's would race to switch a new
     * file's journal (and to load the driver's native library): SQLite answers that race with an immediate "database is
     * locked", not waited out by the busy timeout, since each side holds a read lock and wants to write. Retried while
     * another opener (another process) holds it, for as long as the busy timeout.
     */
    private static synchronized void enterWalMode(String url) {
        Properties props = new Properties();
        props.put("busy_timeout", "5000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Connection connection = DriverManager.getConnection(url, props);
                 Statement st = connection.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                return;
            } catch (SQLException e) {
                boolean busy = e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY");
                if (!busy || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot open " + redacted(url), e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /** A SQLite database file and what lives beside it: its write-ahead log, shared memory and migration lock. */
    private static void deleteSqliteFiles(Path file) {
        for (String suffix : List.of("", "-wal", "-shm", ".migrate-lock")) {
            try {
                Files.deleteIfExists(Path.of(file + suffix));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
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
        writes.readLock().lock();
        gate.readLock().lock();
        try {
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
        } finally {
            gate.readLock().unlock();
            writes.readLock().unlock();
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

    /** Runs {@code work} in one transaction as the owner of the tables (what only the migrations may otherwise do). */
    public <T> T writeAsOwner(Work<T> work) throws SQLException {
        try (Connection owner = ownerConnection()) {
            T result = work.run(owner);
            owner.commit();
            return result;
        }
    }

    /** Runs a read on a pooled connection. */
    public <T> T read(Work<T> work) throws SQLException {
        gate.readLock().lock();
        try (Connection connection = readers.getConnection()) {
            return work.run(connection);
        } finally {
            gate.readLock().unlock();
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
            migrate(database, name, schema, database.migrates());
            migrated = true;
        }
    }

    /**
     * Brings store {@code name} of {@code database} up to date ({@code apply}), or only checks that it is (Flyway's
     * validate, as the services' role: it fails on a script not yet applied).
     */
    public static void migrate(Database database, String name, boolean apply) {
        migrate(database, name, schema(name), apply);
    }

    private static void migrate(Database database, String name, String schema, boolean apply) {
        Dialect dialect = database.dialect();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setDataSourceProperties(apply
                ? connectionProperties(dialect, database.migrationUsername(), database.migrationPassword(), schema)
                : connectionProperties(dialect, database.username(), database.password(), schema));
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
                flyway.schemas(schema);
                // A session lock rather than one held in a transaction: CREATE INDEX CONCURRENTLY waits for every open
                // transaction, Flyway's own included, so under a transactional lock it would wait for ever.
                flyway.configuration(java.util.Map.of("flyway.postgresql.transactional.lock", "false"));
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
        closed = true;
        if (dialect() == Dialect.SQLITE) {
            OPEN_FILES.computeIfPresent(sqliteFile(database.url()), (file, stores) -> {
                stores.remove(this);
                return stores.isEmpty() ? null : stores;
            });
        }
        closeConnections();
    }

    private void closeConnections() {
        readers.close();
        Connection lock = rebuildLock;
        if (lock != null && closed) {
            rebuildLock = null;
            try {
                lock.close();
            } catch (SQLException ignored) {
                // the session is gone, and its lock with it
            }
        }
        try {
            if (writer != null) {
                writer.close();
                writer = null;
            }
        } catch (SQLException ignored) {
            // closing: nothing left to protect
        }
    }

    /**
     * Holds this store still for a rebuild to catch up and take its place: no write to it commits until the freeze is
     * closed, in any process, and readers go on. On SQLite (one process per file) every write of every store of this
     * JVM open on the file waits; on PostgreSQL an owner's transaction locks the store's tables against writers, and a
     * writer blocked on it writes, once the rebuilt tables are in place, into those. Fails when the freeze cannot be
     * had within {@code wait}.
     */
    public Freeze freeze(java.time.Duration wait) throws SQLException, InterruptedException {
        if (dialect() == Dialect.SQLITE) {
            List<SqlStore> stores = new ArrayList<>(OPEN_FILES.getOrDefault(sqliteFile(database.url()), Set.of(this)));
            stores.sort(java.util.Comparator.comparingInt(System::identityHashCode));
            List<SqlStore> held = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            for (SqlStore store : stores) {
                if (!store.writes.writeLock().tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    held.forEach(h -> h.writes.writeLock().unlock());
                    throw new java.sql.SQLTransientException("store " + name + " stayed busy for " + wait);
                }
                held.add(store);
            }
            return new Freeze(this, held, null, wait);
        }
        Connection owner = ownerConnection();
        try (Statement st = owner.createStatement()) {
            st.execute("SET LOCAL lock_timeout = " + wait.toMillis());
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    + " AND tablename <> 'flyway_schema_history' ORDER BY tablename <> 'projector_positions', tablename")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            // The positions first: a projector's transaction saves its position before its rows, so it waits here
            // before it holds anything else. Still, a writer may hold a table this is waiting for (a deadlock the
            // database breaks, 40P01): the rebuild tries again later.
            for (String table : tables) {
                st.execute("LOCK TABLE \"" + table + "\" IN EXCLUSIVE MODE");
            }
            return new Freeze(this, List.of(), owner, wait);
        } catch (SQLException e) {
            owner.close();
            throw e;
        }
    }

    /** One step of a switch, run on the frozen store ({@link Freeze#replaceWith}). */
    @FunctionalInterface
    public interface Step {
        void run() throws SQLException;
    }

    /** The switch cannot be made now (a read went on too long): nothing was changed; try again. */
    public static final class NotNow extends java.sql.SQLTransientException {
        NotNow(String reason) {
            super(reason);
        }
    }

    /** A store held still ({@link #freeze}); closing it lets everything blocked on it go on. */
    public static final class Freeze implements AutoCloseable {

        private final SqlStore live;
        private final List<SqlStore> held;
        private final java.time.Duration wait;
        private Connection owner;

        private Freeze(SqlStore live, List<SqlStore> held, Connection owner, java.time.Duration wait) {
            this.live = live;
            this.held = held;
            this.owner = owner;
            this.wait = wait;
        }

        /**
         * Puts {@code shadow} (from {@link #openShadow}, filled and caught up) in the live store's place and closes it:
         * the live store's objects read and write the rebuilt tables from now on. {@code lastly} runs just before, on
         * the frozen live store, once nothing can hold the switch up any more: on SQLite once every reader of the file
         * in this process is done. A {@link NotNow} is thrown only before {@code lastly}: afterwards nothing can say
         * "not now", and a failure is the rebuild's. One step on PostgreSQL (the schemas change names in one
         * transaction); on SQLite the rebuilt file is renamed over the live one while no connection of this process
         * is open on either.
         */
        public void replaceWith(SqlStore shadow, Step lastly) throws SQLException {
            if (live.dialect() == Dialect.SQLITE) {
                replaceFile(shadow, lastly);
            } else {
                lastly.run();
                replaceSchema(shadow);
            }
        }

        private void replaceFile(SqlStore shadow, Step lastly) throws SQLException {
            List<SqlStore> closed = new ArrayList<>();
            try {
                long deadline = System.nanoTime() + wait.toNanos();
                for (SqlStore store : held) {
                    if (!store.gate.writeLock().tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        throw new NotNow("a read of store " + live.name + " went on for " + wait);
                    }
                    closed.add(store);
                }
            } catch (InterruptedException | NotNow e) {
                closed.forEach(store -> store.gate.writeLock().unlock());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new NotNow("interrupted");
                }
                throw (NotNow) e;
            }
            try {
                lastly.run();
                swapFiles(shadow);
            } finally {
                closed.forEach(store -> store.gate.writeLock().unlock());
            }
        }

        private void swapFiles(SqlStore shadow) throws SQLException {
            Path file = sqliteFile(live.database.url());
            held.forEach(SqlStore::closeConnections);
            try {
                // With every connection of this process closed, SQLite has folded the WAL into the file and removed
                // it. A WAL still there means another process has the file open: it would go on writing into a file
                // no longer there (a SQLite store belongs to one process).
                if (Files.exists(Path.of(file + "-wal"))) {
                    throw new IllegalStateException("another process has " + file.getFileName() + " open: not switched");
                }
                shadow.write(connection -> {
                    connection.setAutoCommit(true);
                    try (Statement st = connection.createStatement()) {
                        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    } finally {
                        connection.setAutoCommit(false);
                    }
                    return null;
                });
                shadow.close();
                Files.deleteIfExists(Path.of(file + "-shm"));
                Files.move(sqliteFile(shadow.database.url()), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                held.stream().filter(store -> !store.closed).forEach(store -> store.readers = store.readerPool());
            }
        }

        private boolean schemaExists(String schema) throws SQLException {
            try (Connection check = live.ownerConnection();
                 PreparedStatement ps = check.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }

        /** The rename is durable once its directory is: the stores write with synchronous=FULL. */
        private static void syncDirectory(Path directory) {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(directory, java.nio.file.StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                // Not every file system lets a directory be synced; the rename itself is atomic.
            }
        }

        private void replaceSchema(SqlStore shadow) throws SQLException {
            String schema = live.schema;
            String replaced = schema + "_replaced";
            try (Statement st = owner.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + replaced + " CASCADE");
                st.execute("ALTER SCHEMA " + schema + " RENAME TO " + replaced);
                st.execute("ALTER SCHEMA " + shadow.schema + " RENAME TO " + schema);
                // A function that fixes its own search path (the audit time index's, SECURITY DEFINER) names the schema.
                List<String> functions = new ArrayList<>();
                try (PreparedStatement ps = owner.prepareStatement("SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n"
                        + " ON n.oid = p.pronamespace WHERE n.nspname = ? AND ? = ANY (p.proconfig)")) {
                    ps.setString(1, schema);
                    ps.setString(2, "search_path=" + shadow.schema);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            functions.add(rs.getString(1));
                        }
                    }
                }
                for (String function : functions) {
                    st.execute("ALTER FUNCTION " + function + " SET search_path = " + schema);
                }
            }
            try {
                owner.commit();
            } catch (SQLException e) {
                // The answer to a commit can be lost after the server committed: the copy's name says which.
                if (schemaExists(shadow.schema)) {
                    throw e;
                }
            } finally {
                try {
                    owner.close();
                } catch (SQLException ignored) {
                    // the connection is gone; the transaction ended with it
                }
                owner = null;
            }
            // Switched: what follows only tidies, and a failure of it is not the switch's.
            var log = org.slf4j.LoggerFactory.getLogger(SqlStore.class);
            shadow.close();
            try (Connection tidy = live.ownerConnection(); Statement st = tidy.createStatement()) {
                // After the commit, so that readers of the old tables in flight never hold up the switch; bounded, so
                // that a transaction left open on them does not hold up the rebuild's end.
                st.execute("SET lock_timeout = 30000");
                st.execute("DROP SCHEMA " + replaced + " CASCADE");
                tidy.commit();
            } catch (SQLException e) {
                log.warn("store {} switched; dropping the old schema {} failed, drop it by hand: {}", live.name, replaced, e.toString());
            }
            try {
                // A repeatable script's checksum covers its placeholders, the schema's name among them: the grants run
                // again for the schema under its new name, so a service that only validates finds the store up to date.
                migrate(live.database, live.name, schema, true);
            } catch (RuntimeException e) {
                log.warn("store {} switched; its migration history still names {}: run the migrations (migrate)", live.name,
                        shadow.schema, e);
            }
        }

        @Override
        public void close() throws SQLException {
            if (owner != null) {
                try {
                    owner.rollback();
                } finally {
                    owner.close();
                    owner = null;
                }
            }
            held.forEach(store -> {
                if (store.writes.writeLock().isHeldByCurrentThread()) {
                    store.writes.writeLock().unlock();
                }
            });
        }
    }
}
