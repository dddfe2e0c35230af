package dev.controlplane.jdbcstore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    private final String url;
    private final Dialect dialect;
    private final HikariDataSource readers;
    private final Connection writer;

    private SqlStore(String url, Dialect dialect, HikariDataSource readers, Connection writer) {
        this.url = url;
        this.dialect = dialect;
        this.readers = readers;
        this.writer = writer;
    }

    public static SqlStore open(String url, String username, String password, int readerPoolSize) {
        Dialect dialect = url.startsWith("jdbc:sqlite:") ? Dialect.SQLITE : Dialect.POSTGRESQL;
        if (dialect == Dialect.SQLITE) {
            prepareFile(url.substring("jdbc:sqlite:".length()));
        }
        Properties props = connectionProperties(dialect, username, password);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDataSourceProperties(props);
        config.setMaximumPoolSize(readerPoolSize);
        config.setPoolName("readers-" + Path.of(url.replace(':', '_')).getFileName());
        try {
            Connection writer = DriverManager.getConnection(url, props);
            writer.setAutoCommit(false);
            createBookkeeping(writer);
            return new SqlStore(url, dialect, new HikariDataSource(config), writer);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open store " + url, e);
        }
    }

    private static Properties connectionProperties(Dialect dialect, String username, String password) {
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
            // Generic plans made the combined audit filter 100× slower after five executions (MEASURED.md).
            props.put("prepareThreshold", "0");
        }
        return props;
    }

    /**
     * Creates the database file readable by its owner only (600) before SQLite opens it: SQLite gives its WAL and
     * shared-memory files the permissions of the database file, so none of the three is readable by others.
     */
    private static void prepareFile(String file) {
        Path path = Path.of(file).toAbsolutePath();
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

    /**
     * Every store keeps, next to its rows, how far each projector writing it has read ({@code projector_positions},
     * written in the same transaction as the rows) and what it had to skip ({@code projector_dead_letters}).
     */
    private static void createBookkeeping(Connection writer) throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS projector_positions (projector VARCHAR(200) NOT NULL, topic VARCHAR(250) NOT NULL,"
                    + " partition_id INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (projector, topic, partition_id))");
            st.execute("CREATE TABLE IF NOT EXISTS projector_dead_letters (projector VARCHAR(200) NOT NULL, topic VARCHAR(250) NOT NULL,"
                    + " partition_id INTEGER NOT NULL, record_offset BIGINT NOT NULL, record_key TEXT, error TEXT NOT NULL,"
                    + " recorded_at VARCHAR(40) NOT NULL, PRIMARY KEY (projector, topic, partition_id, record_offset))");
        }
        writer.commit();
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
        return dialect;
    }

    public DataSource readers() {
        return readers;
    }

    /** Runs {@code work} in one transaction on the writer connection and commits it. */
    public synchronized <T> T write(Work<T> work) throws SQLException {
        try {
            T result = work.run(writer);
            writer.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            writer.rollback();
            throw e;
        }
    }

    /** Runs a read on a pooled connection. */
    public <T> T read(Work<T> work) throws SQLException {
        try (Connection connection = readers.getConnection()) {
            return work.run(connection);
        }
    }

    /**
     * Applies, once each and in order, the scripts under {@code classpath:/migrations/<store>/<dialect>/}.
     * Statements end with a line ending in {@code ;}; a trigger body ends with {@code END;}.
     */
    public synchronized void migrate(String store, List<String> scripts) {
        try {
            try (Statement st = writer.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (script VARCHAR(200) PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)");
            }
            writer.commit();
            for (String script : scripts) {
                // Several instances may open one store at once (two dispatchers): whoever writes the lock row first
                // holds it until its commit, so each script runs once and the others then see it applied.
                try (PreparedStatement lock = writer.prepareStatement("INSERT INTO schema_migrations VALUES ('~lock', ?)"
                        + " ON CONFLICT (script) DO UPDATE SET applied_at = excluded.applied_at")) {
                    lock.setString(1, java.time.Instant.now().toString());
                    lock.executeUpdate();
                }
                if (applied(script)) {
                    writer.commit();
                    continue;
                }
                String path = "/migrations/" + store + "/" + dialect.name().toLowerCase() + "/" + script;
                for (String sql : statements(load(path))) {
                    try (Statement st = writer.createStatement()) {
                        st.execute(sql);
                    }
                }
                try (PreparedStatement ps = writer.prepareStatement("INSERT INTO schema_migrations VALUES (?, ?)")) {
                    ps.setString(1, script);
                    ps.setString(2, java.time.Instant.now().toString());
                    ps.executeUpdate();
                }
                writer.commit();
            }
        } catch (SQLException e) {
            try {
                writer.rollback();
            } catch (SQLException ignored) {
                e.addSuppressed(ignored);
            }
            throw new IllegalStateException("migration of " + store + " failed on " + url, e);
        }
    }

    private boolean applied(String script) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("SELECT 1 FROM schema_migrations WHERE script = ?")) {
            ps.setString(1, script);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String load(String path) {
        try (InputStream in = SqlStore.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inTrigger = false;
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            inTrigger |= trimmed.toUpperCase().startsWith("CREATE TRIGGER");
            boolean ends = inTrigger ? trimmed.equalsIgnoreCase("END;") : trimmed.endsWith(";");
            if (ends) {
                String sql = current.toString().strip();
                statements.add(inTrigger ? sql : sql.substring(0, sql.length() - 1));
                current.setLength(0);
                inTrigger = false;
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    @Override
    public synchronized void close() {
        readers.close();
        try {
            writer.close();
        } catch (SQLException ignored) {
            // closing on shutdown: nothing left to protect
        }
    }
}
