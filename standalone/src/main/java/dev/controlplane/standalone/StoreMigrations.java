package dev.controlplane.standalone;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar standalone.jar migrate}: brings every store of {@code ADMIN_DATABASE_URL} up to date as
 * {@code ADMIN_DATABASE_OWNERUSERNAME}, granting {@code ADMIN_DATABASE_USERNAME} what the services need, then exits.
 * Run once before the services (compose's {@code migrate}), so that they, started with
 * {@code ADMIN_DATABASE_MIGRATE=false}, only check their stores and never hold the owner's password.
 */
final class StoreMigrations {

    /** Every store of the system: the query services', the audit projector's, the webhook dispatchers'. */
    static final List<String> STORES = List.of("read-model", "audit", "webhooks");

    private StoreMigrations() {
    }

    static void run(Map<String, String> env) {
        String url = env.get("ADMIN_DATABASE_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("ADMIN_DATABASE_URL is not set: there is no database to migrate");
        }
        Database database = new Database(url, env.get("ADMIN_DATABASE_USERNAME"), env.get("ADMIN_DATABASE_PASSWORD"),
                env.get("ADMIN_DATABASE_OWNERUSERNAME"), env.get("ADMIN_DATABASE_OWNERPASSWORD"), true);
        for (String store : STORES) {
            SqlStore.migrate(database, store, true);
            System.out.println("store " + store + " is up to date");
        }
    }
}
