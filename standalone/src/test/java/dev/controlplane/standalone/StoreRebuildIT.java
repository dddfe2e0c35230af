package dev.controlplane.standalone;

import static dev.controlplane.standalone.StoreRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.controlplane.auditstore.AuditQuery;
import dev.controlplane.auditstore.AuditRecord;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.LogProjector;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.queryservice.StoreRebuilds;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.queryservice.resources.ResourceReadModel;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A rebuild of the audit store and of the read model on each engine, while writes go on and the live projectors keep
 * writing: both switch over, the rebuilt tables hold what a store never rebuilt holds, every audit record keeps its
 * id (so a cursor from before pages on the same), and the live projectors carry on into the rebuilt tables. On
 * PostgreSQL the services run as a role that owns nothing; the rebuild switches as the owner.
 */
class StoreRebuildIT {

    private static final String AUDIT_COLUMNS = "event_id, occurred_at_us, actor, action, verb, resource_kind, "
            + "resource_name, version, command_id, request_id, source_ip, user_agent, changes";

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);
    private final KafkaSettings kafka = KafkaSettings.singleBroker(system.bootstrapServers(), 6);

    @ParameterizedTest
    @EnumSource(TestDatabases.Engine.class)
    void aRebuildWhileWritesGoOn_holdsWhatTheLogHolds_keepsEveryId_andTheProjectorsCarryOnIntoIt(TestDatabases.Engine engine)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // On SQLite a store is a file; on PostgreSQL a schema, and the stores share a database as in production.
        Database auditDatabase = engine == TestDatabases.Engine.SQLITE ? TestDatabases.fresh(engine) : TestDatabases.withServiceRole();
        Database readDatabase = engine == TestDatabases.Engine.SQLITE ? TestDatabases.fresh(engine) : auditDatabase;
        for (int i = 0; i < 10; i++) {
            tenant("rebuild-" + run + "-" + i);
        }
        try (SqlStore auditLive = SqlStore.open(auditDatabase, "audit", 2);
             SqlStore readLive = SqlStore.open(readDatabase, "read-model", 2)) {
            AuditStore audit = new AuditStore(auditLive);
            ResourceReadModel readModel = new ResourceReadModel(readLive);
            String auditGroup = "rebuild-it-audit-" + run;
            String readGroup = "rebuild-it-read-model-" + run;
            String securityGroup = "rebuild-it-security-" + run;
            EventProjector auditProjector = new EventProjector(auditGroup, kafka, auditLive, audit::append);
            // Failed calls of the shared system's other tests: the audit store's second feed, copied by a rebuild.
            LogProjector<SecurityEvent> securityProjector = new LogProjector<>(securityGroup, kafka, Topics.SECURITY_EVENTS,
                    Envelopes::readSecurityEvent, SecurityEvent::windowStart, auditLive, audit::appendSecurity);
            LogProjector<EventEnvelope> readProjector = new EventProjector(readGroup, kafka, readLive, readModel::apply).everyPartition();
            auditProjector.start();
            securityProjector.start();
            readProjector.start();
            try {
                awaitCaughtUp(auditLive, auditGroup);
                awaitCaughtUp(auditLive, securityGroup, Topics.SECURITY_EVENTS);
                awaitCaughtUp(readLive, readGroup);
                List<String> auditBefore = rows(auditLive, "SELECT * FROM audit_records ORDER BY id");
                AuditStore.Page first = audit.query(page(null));
                long cursor = first.records().getLast().id();
                List<AuditRecord> secondBefore = audit.query(page(cursor)).records();

                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicInteger written = new AtomicInteger();
                Thread writer = Thread.ofVirtual().start(() -> {
                    for (int i = 0; writing.get(); i++) {
                        if (tenant("rebuild-" + run + "-during-" + i) == 201) {
                            written.incrementAndGet();
                        }
                    }
                });
                // Every id a client could read while the rebuild runs, to be found the same after it.
                Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
                Thread observer = Thread.ofVirtual().start(() -> {
                    long after = 0;
                    while (writing.get()) {
                        try {
                            after = observe(auditLive, after, seen);
                        } catch (Exception e) {
                            // a read between two pools of the switch: the next one sees on
                        }
                    }
                });
                StoreRebuild auditRebuild = StoreRebuild.start(StoreRebuilds.audit(auditLive, auditGroup, securityGroup), kafka);
                StoreRebuild readRebuild = StoreRebuild.start(StoreRebuilds.readModel(readLive, readGroup), kafka);
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> auditRebuild.finished() && readRebuild.finished());
                } finally {
                    writing.set(false);
                    writer.join(Duration.ofSeconds(30));
                    observer.join(Duration.ofSeconds(30));
                }
                for (StoreRebuild rebuild : List.of(auditRebuild, readRebuild)) {
                    StoreRebuild.Progress progress = rebuild.progress();
                    assertThat(progress.state()).as(progress.toString()).isEqualTo(StoreRebuild.State.DONE);
                    assertThat(progress.records()).isPositive();
                    assertThat(progress.total()).isGreaterThanOrEqualTo(progress.records());
                    assertThat(progress.perSecond()).isPositive();
                    assertThat(progress.finishedAt()).isAfterOrEqualTo(progress.startedAt());
                }
                assertThat(written.get()).as("writes during the rebuild").isPositive();
                // A service that only checks its stores (admin.database.migrate=false) still finds them up to date.
                SqlStore.migrate(auditDatabase, "audit", false);
                SqlStore.migrate(readDatabase, "read-model", false);
                // The live projectors write into the rebuilt tables now; the writes after the switch reach them.
                tenant("rebuild-" + run + "-after");
                awaitCaughtUp(auditLive, auditGroup);
                awaitCaughtUp(readLive, readGroup);

                List<String> auditAfter = rows(auditLive, "SELECT * FROM audit_records ORDER BY id");
                assertThat(auditAfter.subList(0, auditBefore.size())).isEqualTo(auditBefore);
                assertThat(audit.query(page(cursor)).records()).isEqualTo(secondBefore);
                Map<String, Long> after = new java.util.HashMap<>();
                observe(auditLive, 0, after);
                assertThat(seen).as("ids read during the rebuild").isNotEmpty();
                assertThat(after).containsAllEntriesOf(seen);
                Instant oldest = first.records().stream().map(AuditRecord::occurredAt).min(Instant::compareTo).orElseThrow();
                assertThat(audit.query(new AuditQuery(null, null, oldest, null, null, null, true, 5, null)).records())
                        .isEqualTo(first.records());

                try (SqlStore auditReference = SqlStore.open(TestDatabases.fresh(engine), "audit", 1);
                     SqlStore readReference = SqlStore.open(TestDatabases.fresh(engine), "read-model", 1)) {
                    AuditStore referenceAudit = new AuditStore(auditReference);
                    ResourceReadModel referenceReadModel = new ResourceReadModel(readReference);
                    String referenceAuditGroup = "rebuild-it-reference-audit-" + run;
                    String referenceReadGroup = "rebuild-it-reference-read-model-" + run;
                    String referenceSecurityGroup = "rebuild-it-reference-security-" + run;
                    List<LogProjector<?>> references = List.of(
                            new EventProjector(referenceAuditGroup, kafka, auditReference, referenceAudit::append),
                            new LogProjector<>(referenceSecurityGroup, kafka, Topics.SECURITY_EVENTS, Envelopes::readSecurityEvent,
                                    SecurityEvent::windowStart, auditReference, referenceAudit::appendSecurity),
                            new EventProjector(referenceReadGroup, kafka, readReference, referenceReadModel::apply).everyPartition());
                    references.forEach(LogProjector::start);
                    try {
                        awaitCaughtUp(auditReference, referenceAuditGroup);
                        awaitCaughtUp(auditReference, referenceSecurityGroup, Topics.SECURITY_EVENTS);
                        awaitCaughtUp(readReference, referenceReadGroup);
                    } finally {
                        references.forEach(LogProjector::stop);
                    }
                    String byEvent = "SELECT " + AUDIT_COLUMNS + " FROM audit_records ORDER BY event_id";
                    assertThat(rows(auditLive, byEvent)).isEqualTo(rows(auditReference, byEvent));
                    // The rebuilt time index is exactly the one its records give (a since/until page relies on it).
                    String exact = "SELECT level, bucket, MIN(id), MAX(id) FROM (SELECT 0 AS level, occurred_at_us / 60000000 AS bucket, id"
                            + " FROM audit_records UNION ALL SELECT 1, occurred_at_us / 3600000000, id FROM audit_records UNION ALL"
                            + " SELECT 2, occurred_at_us / 86400000000, id FROM audit_records) b GROUP BY level, bucket ORDER BY level, bucket";
                    assertThat(rows(auditLive, "SELECT level, bucket, min_id, max_id FROM audit_time_index ORDER BY level, bucket"))
                            .isEqualTo(rows(auditLive, exact));
                    String resources = "SELECT * FROM resources ORDER BY kind, name";
                    assertThat(rows(readLive, resources)).isEqualTo(rows(readReference, resources));
                }
            } finally {
                auditProjector.stop();
                securityProjector.stop();
                readProjector.stop();
            }
        }
    }

    private int tenant(String name) {
        return api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}").status();
    }

    /** Reads the ids of the records after {@code after} into {@code ids}; the highest id read. */
    private static long observe(SqlStore store, long after, Map<String, Long> ids) throws SQLException {
        return store.read(c -> {
            long highest = after;
            try (var ps = c.prepareStatement("SELECT id, event_id FROM audit_records WHERE id > ? ORDER BY id")) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        highest = rs.getLong(1);
                        ids.put(rs.getString(2), highest);
                    }
                }
            }
            return highest;
        });
    }

    private static AuditQuery page(Long after) {
        return new AuditQuery(null, null, null, null, null, null, true, 5, after);
    }

    /** Until the store's position for {@code projector} is at the end of the event log, as it is now. */
    private void awaitCaughtUp(SqlStore store, String projector) {
        awaitCaughtUp(store, projector, Topics.EVENTS);
    }

    private void awaitCaughtUp(SqlStore store, String projector, String topic) {
        Map<TopicPartition, Long> ends = ends(topic);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<Integer, Long> positions = store.positions(projector, topic);
            return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                    || positions.getOrDefault(end.getKey().partition(), -1L) >= end.getValue());
        });
    }

    private Map<TopicPartition, Long> ends(String topic) {
        try (var consumer = KafkaClients.consumer(kafka, null, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }
}
