package dev.controlplane.standalone;

import static dev.controlplane.standalone.StoreRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.queryservice.resources.ResourceReadModel;
import dev.controlplane.schemas.Topics;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Replaying the log from offset 0 changes nothing, and rebuilding a store from the log yields the live rows. */
class ProjectionReplayIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @Test
    void replayFromOffsetZero_intoTheLiveStores_changesNothing_andARebuildMatchesThem() throws Exception {
        String name = "replay-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        api.put("/api/v1/tenants/" + name, "{\"status\":\"inactive\"}", "If-Match", "\"1\"");
        long events = LogProbe.size(system.bootstrapServers(), Topics.EVENTS);
        Path dir = system.dataDir();
        try (SqlStore liveReadModel = SqlStore.open(Database.at("jdbc:sqlite:" + dir.resolve("read-model.db")), "read-model", 1);
             SqlStore liveAudit = SqlStore.open(Database.at("jdbc:sqlite:" + dir.resolve("audit.db")), "audit", 1);
             SqlStore rebuilt = SqlStore.open(Database.at("jdbc:sqlite:" + dir.resolve("rebuilt-" + name + ".db")), "read-model", 1)) {
            // Security events (auth.failed, auth.denied) share the audit store; they come from their own topic.
            await().atMost(Duration.ofSeconds(15)).until(() -> count(liveAudit, "audit_records WHERE resource_kind <> 'auth'") == events);
            List<String> readModelBefore = rows(liveReadModel, "SELECT * FROM resources ORDER BY kind, name");
            List<String> auditBefore = rows(liveAudit, "SELECT * FROM audit_records WHERE resource_kind <> 'auth' ORDER BY id");

            ResourceReadModel replayReadModel = new ResourceReadModel(liveReadModel);
            AuditStore replayAudit = new AuditStore(liveAudit);
            ResourceReadModel fresh = new ResourceReadModel(rebuilt);
            KafkaSettings kafka = KafkaSettings.singleBroker(system.bootstrapServers(), 6);
            List<EventProjector> replays = List.of(
                    new EventProjector("replay-rm-" + name, kafka, liveReadModel, replayReadModel::apply),
                    new EventProjector("replay-audit-" + name, kafka, liveAudit, replayAudit::append),
                    new EventProjector("rebuild-" + name, kafka, rebuilt, fresh::apply));
            replays.forEach(EventProjector::start);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> replays.stream().allMatch(p -> p.lag().count() >= events));
            } finally {
                replays.forEach(EventProjector::stop);
            }

            assertThat(rows(liveReadModel, "SELECT * FROM resources ORDER BY kind, name")).isEqualTo(readModelBefore);
            assertThat(rows(liveAudit, "SELECT * FROM audit_records WHERE resource_kind <> 'auth' ORDER BY id")).isEqualTo(auditBefore);
            assertThat(rows(rebuilt, "SELECT * FROM resources ORDER BY kind, name")).isEqualTo(readModelBefore);
        }
    }

    private static long count(SqlStore store, String table) throws SQLException {
        return store.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
