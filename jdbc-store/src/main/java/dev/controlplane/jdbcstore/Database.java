package dev.controlplane.jdbcstore;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the stores live, {@code admin.database.*} ({@code ADMIN_DATABASE_URL}, {@code ADMIN_DATABASE_USERNAME},
 * {@code ADMIN_DATABASE_PASSWORD}). With a PostgreSQL URL every store is a schema of that database; without one each
 * store is the SQLite file its service names.
 *
 * @param url            JDBC URL ({@code jdbc:postgresql://…} in production); unset for the embedded SQLite files
 * @param username       the role the services read and write as
 * @param password       its password
 * @param ownerUsername  the role that runs the migrations and owns the tables (default: {@code username}). Give the
 *                       services a role of their own that is not the owner, or nothing stops them from dropping the
 *                       audit store's triggers.
 * @param ownerPassword  its password
 * @param migrate        false: the service only checks that its stores are up to date, and refuses to start when they
 *                       are not; the migrations are run apart, as the owner ({@code java -jar standalone.jar migrate}),
 *                       so the services never hold the owner's password. Default true.
 */
@ConfigurationProperties("admin.database")
public record Database(String url, String username, String password, String ownerUsername, String ownerPassword, Boolean migrate) {

    /** The one Spring binds {@code admin.database.*} to. */
    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public Database {
    }

    public Database(String url, String username, String password, String ownerUsername, String ownerPassword) {
        this(url, username, password, ownerUsername, ownerPassword, null);
    }

    public static Database at(String url) {
        return new Database(url, null, null, null, null);
    }

    /** Whether a service opening its stores brings them up to date, or only checks that they are. */
    public boolean migrates() {
        return migrate == null || migrate;
    }

    /** This database, or {@code fallbackUrl} when none is configured (the embedded default: a SQLite file per store). */
    public Database orElse(String fallbackUrl) {
        return url == null || url.isBlank() ? at(fallbackUrl) : this;
    }

    public SqlStore.Dialect dialect() {
        return url.startsWith("jdbc:sqlite:") ? SqlStore.Dialect.SQLITE : SqlStore.Dialect.POSTGRESQL;
    }

    String migrationUsername() {
        return ownerUsername == null || ownerUsername.isBlank() ? username : ownerUsername;
    }

    String migrationPassword() {
        return ownerUsername == null || ownerUsername.isBlank() ? password : ownerPassword;
    }

    @Override
    public String toString() {
        return "Database[url=" + SqlStore.redacted(url) + ", username=" + username + ", ownerUsername=" + ownerUsername + "]";
    }
}
