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
                if (applied(script)) {
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
