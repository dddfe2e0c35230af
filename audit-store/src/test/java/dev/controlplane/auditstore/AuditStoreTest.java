package dev.controlplane.auditstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.jdbcstore.TestDatabases.Engine;
import dev.controlplane.schemas.Changes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.Envelopes;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.ObjectNode;

/** The audit store on both engines: appends, filters, append-only, and paging while several appenders write. */
class AuditStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @ParameterizedTest
    @EnumSource(Engine.class)
    void appendsOncePerEvent_andEveryFilterShapeAnswersWhatItSays(Engine engine) throws Exception {
        try (SqlStore sql = SqlStore.open(TestDatabases.fresh(engine), "audit", 2)) {
            AuditStore audit = new AuditStore(sql);
            List<EventEnvelope> events = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                events.add(event(i % 3 == 0 ? "user:alice" : "token:ci", i % 2 == 0 ? "created" : "updated",
                        i % 4 == 0 ? "tenant" : "cluster", "r" + (i % 5), T0.plusSeconds(i)));
            }
            audit.append(events.subList(0, 40), SqlStore.Checkpoint.NONE);
            audit.append(events, SqlStore.Checkpoint.NONE);

            assertThat(all(audit, query(null, null, null, null, null, null))).hasSize(60);
            assertThat(all(audit, query("user:alice", null, null, null, null, null))).hasSize(20)
                    .allSatisfy(r -> assertThat(r.actor()).isEqualTo("user:alice"));
            assertThat(all(audit, query("user:alice", List.of("tenant.create"), null, null, null, null)))
                    .extracting(AuditRecord::eventId).containsExactlyElementsOf(expected(events, e ->
                            e.actor().equals("user:alice") && e.action().equals("tenant.create")));
            assertThat(all(audit, query(null, List.of("update"), T0.plusSeconds(10), T0.plusSeconds(20), null, null)))
                    .extracting(AuditRecord::eventId).containsExactlyElementsOf(expected(events, e -> e.action().endsWith(".update")
                            && !e.occurredAt().isBefore(T0.plusSeconds(10)) && e.occurredAt().isBefore(T0.plusSeconds(20))));
            assertThat(all(audit, query("token:ci", null, null, null, "cluster", "r3")))
                    .extracting(AuditRecord::eventId).containsExactlyElementsOf(expected(events, e -> e.actor().equals("token:ci")
                            && e.resource().equals(new ResourceRef("cluster", "r3"))));
            assertThat(all(audit, query("user:nobody", List.of("tenant.create"), null, null, null, null))).isEmpty();
        }
    }

    /**
     * Random filters of every shape (actor, qualified and bare actions, kind, resource, since, until, both orders)
     * page through exactly what a filter over all records gives, in id order, including records appended late (an
     * event older than records appended before it) and queries whose time range holds nothing.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyFilterShape_pagesThroughWhatAFilterOverAllRecordsGives(Engine engine) throws Exception {
        java.util.Random random = new java.util.Random(7);
        List<String> actors = List.of("user:alice", "token:ci", "token:rare");
        List<String> verbs = List.of("created", "updated", "deactivated");
        List<String> kinds = List.of("tenant", "cluster", "user");
        try (SqlStore sql = SqlStore.open(TestDatabases.fresh(engine), "audit", 2)) {
            AuditStore audit = new AuditStore(sql);
            List<EventEnvelope> appended = new ArrayList<>();
            for (int batch = 0; batch < 20; batch++) {
                List<EventEnvelope> events = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    int n = batch * 25 + i;
                    // Mostly in time order, one in ten a few hours late.
                    Instant at = T0.plus(Duration.ofMinutes(7L * n)).minus(random.nextInt(10) == 0 ? Duration.ofHours(5) : Duration.ZERO);
                    String actor = random.nextInt(10) < 7 ? actors.get(0) : actors.get(1 + random.nextInt(2) % 2);
                    events.add(event(actor, verbs.get(random.nextInt(3)), kinds.get(random.nextInt(3)), "r" + random.nextInt(20), at));
                }
                audit.append(events, SqlStore.Checkpoint.NONE);
                appended.addAll(events);
            }
            List<AuditRecord> everything = all(audit, query(null, null, null, null, null, null));
            assertThat(everything).hasSize(appended.size());
            Instant last = T0.plus(Duration.ofMinutes(7L * appended.size()));
            for (int q = 0; q < 150; q++) {
                String actor = random.nextBoolean() ? actors.get(random.nextInt(3)) : null;
                List<String> actions = switch (random.nextInt(4)) {
                    case 0 -> null;
                    case 1 -> List.of(kinds.get(random.nextInt(3)) + "." + List.of("create", "update", "deactivate").get(random.nextInt(3)));
                    case 2 -> List.of(List.of("create", "update", "deactivate").get(random.nextInt(3)));
                    default -> List.of("tenant.create", "update", "cluster.update");
                };
                String kind = random.nextInt(3) == 0 ? kinds.get(random.nextInt(3)) : null;
                String name = kind != null && random.nextBoolean() ? "r" + random.nextInt(20) : null;
                Instant since = random.nextBoolean() ? T0.minus(Duration.ofHours(6)).plus(Duration.ofMinutes(random.nextInt(4000))) : null;
                Instant until = random.nextBoolean() ? (since == null ? T0 : since).plus(Duration.ofMinutes(random.nextInt(3000))) : null;
                if (random.nextInt(10) == 0) {
                    since = last.plus(Duration.ofDays(1));
                }
                boolean ascending = random.nextBoolean();
                AuditQuery shape = new AuditQuery(actor, actions, since, until, kind, name, ascending, 1 + random.nextInt(9), null);
                Instant from = since;
                Instant to = until;
                List<Long> expected = everything.stream()
                        .filter(r -> actor == null || r.actor().equals(actor))
                        .filter(r -> actions == null || actions.stream().anyMatch(a -> a.contains(".") ? r.action().equals(a)
                                : r.action().endsWith("." + a)))
                        .filter(r -> kind == null || r.resource().kind().equals(kind))
                        .filter(r -> name == null || r.resource().name().equals(name))
                        .filter(r -> from == null || !r.occurredAt().isBefore(from))
                        .filter(r -> to == null || r.occurredAt().isBefore(to))
                        .map(AuditRecord::id)
                        .sorted(ascending ? java.util.Comparator.naturalOrder() : java.util.Comparator.<Long>reverseOrder())
                        .toList();
                assertThat(all(audit, shape)).as(shape.toString()).extracting(AuditRecord::id).containsExactlyElementsOf(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void recordsCannotBeChangedOrDeleted_evenByTheTablesOwner(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore sql = SqlStore.open(database, "audit", 1)) {
            new AuditStore(sql).append(List.of(event("user:alice", "created", "tenant", "a", T0)), SqlStore.Checkpoint.NONE);
            // On PostgreSQL the store writes as the services' role, which the grants already stop.
            String refusal = engine == Engine.POSTGRESQL ? "permission denied" : "append-only";
            List<String> refused = List.of("UPDATE audit_records SET actor = 'user:mallory'", "DELETE FROM audit_records");
            for (String statement : refused) {
                assertThatThrownBy(() -> sql.write(c -> c.createStatement().executeUpdate(statement)))
                        .as(statement).hasMessageContaining(refusal);
            }
        }
        if (engine == Engine.POSTGRESQL) {
            try (Connection service = TestDatabases.asService(database, "audit")) {
                for (String statement : List.of("UPDATE audit_records SET actor = 'user:mallory'", "DELETE FROM audit_records",
                        "TRUNCATE audit_records", "DROP TRIGGER audit_records_no_update_or_delete ON audit_records",
                        "ALTER TABLE audit_records DISABLE TRIGGER ALL", "DROP TABLE audit_records",
                        // The time index bounds every time-filtered query: whoever could write it could hide records.
                        "UPDATE audit_time_index SET min_id = max_id", "DELETE FROM audit_time_index",
                        "INSERT INTO audit_time_index VALUES (9, 9, 9, 9)", "DROP TRIGGER audit_records_index_times ON audit_records")) {
                    assertThatThrownBy(() -> execute(service, statement)).as(statement)
                            .isInstanceOf(SQLException.class).hasMessageMatching("(?s).*(permission denied|must be owner).*");
                }
            }
            try (Connection owner = TestDatabases.asOwner(database, "audit")) {
                for (String statement : List.of("UPDATE audit_records SET actor = 'user:mallory'", "DELETE FROM audit_records",
                        "TRUNCATE audit_records")) {
                    assertThatThrownBy(() -> execute(owner, statement)).as(statement).hasMessageContaining("append-only");
                }
            }
        }
    }

    /**
     * Four appenders, as four projector instances sharing the partitions, write one store while a client pages
     * ascending from the start: it sees every record exactly once. On PostgreSQL ids are sequence values, which
     * commit out of order unless appends are ordered (the append lock).
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void anAscendingCursor_seesEveryRecordOnce_whileSeveralAppendersWrite(Engine engine) throws Exception {
        Database database = TestDatabases.fresh(engine);
        int appenders = 4;
        int batches = 20;
        int batchSize = 50;
        List<SqlStore> stores = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(appenders);
        try {
            for (int i = 0; i < appenders + 1; i++) {
                stores.add(SqlStore.open(database, "audit", 2));
            }
            AuditStore reader = new AuditStore(stores.getLast());
            List<Future<?>> writes = new ArrayList<>();
            for (int a = 0; a < appenders; a++) {
                AuditStore appender = new AuditStore(stores.get(a));
                int id = a;
                writes.add(pool.submit(() -> {
                    for (int b = 0; b < batches; b++) {
                        List<EventEnvelope> batch = new ArrayList<>();
                        for (int i = 0; i < batchSize; i++) {
                            batch.add(event("token:p" + id, "created", "tenant", "p" + id + "-" + b + "-" + i, T0));
                        }
                        appender.append(batch, SqlStore.Checkpoint.NONE);
                    }
                    return null;
                }));
            }
            List<String> seen = new ArrayList<>();
            Long after = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                boolean writing = writes.stream().anyMatch(w -> !w.isDone());
                AuditStore.Page page = reader.query(new AuditQuery(null, null, null, null, null, null, true, 37, after));
                page.records().forEach(r -> seen.add(r.eventId()));
                if (!page.records().isEmpty()) {
                    after = page.records().getLast().id();
                }
                if (!writing && !page.more()) {
                    break;
                }
            }
            for (Future<?> write : writes) {
                write.get();
            }
            assertThat(new HashSet<>(seen)).as("distinct").hasSize(seen.size());
            assertThat(seen).hasSize(appenders * batches * batchSize);
        } finally {
            pool.shutdownNow();
            stores.forEach(SqlStore::close);
        }
    }

    /**
     * The case the append lock exists for, made certain: appender A has taken its ids and is held before its commit
     * (a test trigger waits on a lock the test holds) while appender B appends. B must not commit later ids before A
     * commits, or a client paging ascending past B's records would never see A's.
     */
    @Test
    void aLateCommit_isNotSkippedByAnAscendingCursor_onPostgresql() throws Exception {
        Database database = TestDatabases.fresh(Engine.POSTGRESQL);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SqlStore a = SqlStore.open(database, "audit", 1); SqlStore b = SqlStore.open(database, "audit", 1);
             SqlStore reading = SqlStore.open(database, "audit", 1); Connection gate = TestDatabases.asSuperuser(database, "audit")) {
            AuditStore reader = new AuditStore(reading);
            execute(gate, """
                    CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN PERFORM pg_advisory_lock_shared(4242); PERFORM pg_advisory_unlock_shared(4242); RETURN NULL; END $$""");
            execute(gate, "CREATE TRIGGER test_gate AFTER INSERT ON audit_records FOR EACH ROW WHEN (NEW.actor = 'token:slow') "
                    + "EXECUTE FUNCTION test_gate()");
            execute(gate, "SELECT pg_advisory_lock(4242)");
            Future<?> slow = pool.submit(() -> {
                new AuditStore(a).append(List.of(event("token:slow", "created", "tenant", "slow", T0)), SqlStore.Checkpoint.NONE);
                return null;
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnLocks(gate) == 1);
            Future<?> fast = pool.submit(() -> {
                new AuditStore(b).append(List.of(event("token:fast", "created", "tenant", "fast", T0)), SqlStore.Checkpoint.NONE);
                return null;
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fast.isDone() || waitingOnLocks(gate) == 2);

            List<String> seen = new ArrayList<>();
            AuditStore.Page first = reader.query(new AuditQuery(null, null, null, null, null, null, true, 10, null));
            first.records().forEach(r -> seen.add(r.resource().name()));
            Long after = first.records().isEmpty() ? null : first.records().getLast().id();
            execute(gate, "SELECT pg_advisory_unlock(4242)");
            slow.get();
            fast.get();
            reader.query(new AuditQuery(null, null, null, null, null, null, true, 10, after)).records()
                    .forEach(r -> seen.add(r.resource().name()));
            assertThat(seen).containsExactlyInAnyOrder("slow", "fast");
        } finally {
            pool.shutdownNow();
        }
    }

    private static int waitingOnLocks(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theServicesRole_appendsAndReads() throws Exception {
        Database database = TestDatabases.withServiceRole();
        try (SqlStore sql = SqlStore.open(database, "audit", 1)) {
            AuditStore audit = new AuditStore(sql);
            audit.append(List.of(event("user:alice", "created", "tenant", "a", T0)), new SqlStore.Checkpoint("audit", "admin.events",
                    java.util.Map.of(0, 1L)));
            assertThat(all(audit, query(null, null, null, null, null, null))).hasSize(1);
            assertThat(sql.positions("audit", "admin.events")).containsEntry(0, 1L);
        }
    }

    /**
     * A log in which {@code config.updated} was written at version 1 up to an upgrade and at version 2 after it
     * projects into the same records, row for row, as the same history written at version 2 throughout.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aLogHoldingBothVersionsOfAType_replaysIntoTheSameRecords(Engine engine) throws Exception {
        List<ObjectNode> documents = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {
            ObjectNode document = Envelopes.MAPPER.createObjectNode().put("name", "current").put("status", "active");
            document.putObject("audit").put("retention_days", 30 + random.nextInt(3));
            if (random.nextBoolean()) {
                document.putObject("tokens").put("max_lifetime_days", 90 + random.nextInt(2));
            }
            document.putObject("labels").put(List.of("k", "site/zone", "a~b").get(random.nextInt(3)), "v" + random.nextInt(2));
            documents.add(document);
        }
        List<byte[]> mixed = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        for (int i = 1; i < documents.size(); i++) {
            ObjectNode before = documents.get(i - 1);
            ObjectNode after = documents.get(i);
            EventEnvelope v2 = configUpdated(i, 2, after, Changes.byPointer(before, after));
            current.add(Envelopes.write(v2));
            mixed.add(i <= documents.size() / 2 ? Envelopes.write(configUpdated(i, 1, after, Changes.byField(before, after)))
                    : Envelopes.write(v2));
        }
        assertThat(new String(mixed.getFirst(), StandardCharsets.UTF_8)).contains("\"schema_version\":1");

        List<AuditRecord> fromMixed = replay(engine, mixed);
        List<AuditRecord> fromCurrent = replay(engine, current);

        assertThat(fromMixed).hasSize(documents.size() - 1).isEqualTo(fromCurrent);
        assertThat(fromMixed.getFirst().changes().propertyNames()).allMatch(key -> key.startsWith("/"));
    }

    /** A record stored before the upgrade, with its changes by section, is read in the current form. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRecordStoredInTheFirstVersionsForm_readsInTheCurrentOne(Engine engine) throws Exception {
        ObjectNode before = (ObjectNode) Envelopes.MAPPER.readTree("{\"name\":\"current\",\"audit\":{\"retention_days\":30}}");
        ObjectNode after = (ObjectNode) Envelopes.MAPPER.readTree("{\"name\":\"current\",\"audit\":{\"retention_days\":90},\"labels\":{\"a/b\":\"x\"}}");
        try (SqlStore sql = SqlStore.open(TestDatabases.fresh(engine), "audit", 2)) {
            AuditStore audit = new AuditStore(sql);
            // What the store was given by a projector before the upgrade: the event as version 1 wrote it, not upcast.
            audit.append(List.of(configUpdated(1, 1, after, Changes.byField(before, after))), SqlStore.Checkpoint.NONE);

            assertThat(all(audit, query(null, null, null, null, null, null))).singleElement()
                    .satisfies(record -> assertThat(record.changes()).isEqualTo(Changes.byPointer(before, after)));
        }
    }

    private static List<AuditRecord> replay(Engine engine, List<byte[]> log) throws SQLException {
        try (SqlStore sql = SqlStore.open(TestDatabases.fresh(engine), "audit", 2)) {
            AuditStore audit = new AuditStore(sql);
            audit.append(log.stream().map(Envelopes::readEvent).toList(), SqlStore.Checkpoint.NONE);
            return all(audit, query(null, null, null, null, null, null));
        }
    }

    private static EventEnvelope configUpdated(int sequence, int version, ObjectNode data, ObjectNode changes) {
        return new EventEnvelope(new UUID(7, sequence), "config.updated", version, new ResourceRef("config", "current"),
                sequence + 1, new UUID(8, sequence), "user:alice", new RequestContext("req-" + sequence, "10.0.0.1", "test"),
                T0.plusSeconds(sequence), data, changes);
    }

    private static void execute(Connection connection, String statement) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(statement);
        }
    }

    /**
     * A rebuild's copy keeps each record's live id, whatever order it appends them in, also of a record the live
     * store committed only after the copy read it; a record the live store lacks waits and then takes an id after
     * every live one, and is indexed by time like the rest; the records of failed calls are copied with their ids.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRebuildKeepsTheLiveIds_andARecordTheLiveStoreLacksComesAfterThem(Engine engine) throws Exception {
        Database database = TestDatabases.fresh(engine);
        try (SqlStore live = SqlStore.open(database, "audit", 1)) {
            AuditStore liveAudit = new AuditStore(live);
            List<EventEnvelope> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(event("user:alice", "created", "tenant", "t" + i, T0.plusSeconds(i)));
            }
            EventEnvelope lost = event("user:bob", "created", "tenant", "lost", T0.plusSeconds(2));
            liveAudit.append(events, SqlStore.Checkpoint.NONE);
            List<AuditRecord> liveRecords;

            SqlStore shadow = live.openShadow();
            try {
                AuditStore rebuilt = AuditStore.rebuilding(shadow, live);
                List<EventEnvelope> replayed = new ArrayList<>(events.reversed());
                replayed.add(3, lost);
                EventEnvelope late = event("user:dan", "created", "tenant", "late", T0.plusSeconds(7));
                replayed.add(late);
                rebuilt.append(replayed.subList(0, 4), SqlStore.Checkpoint.NONE);
                rebuilt.append(replayed.subList(4, replayed.size()), SqlStore.Checkpoint.NONE);
                // The live projector commits "late" after the copy read it, and a client sees its id.
                liveAudit.append(List.of(late), SqlStore.Checkpoint.NONE);
                // Failed calls are copied as they come, each copy taking what came since the last.
                liveAudit.appendSecurity(List.of(failedCalls(T0.plusSeconds(8))), SqlStore.Checkpoint.NONE);
                rebuilt.copySecurityRecords();
                liveAudit.appendSecurity(List.of(failedCalls(T0.plusSeconds(9))), SqlStore.Checkpoint.NONE);
                rebuilt.copySecurityRecords();
                liveRecords = all(liveAudit, query(null, null, null, null, null, null));
                rebuilt.copySecurityRecords();
                rebuilt.placeStrays();

                AuditStore shadowReader = new AuditStore(shadow);
                List<AuditRecord> records = all(shadowReader, query(null, null, null, null, null, null));
                assertThat(records.subList(0, liveRecords.size())).isEqualTo(liveRecords);
                assertThat(records).hasSize(liveRecords.size() + 1);
                assertThat(records.getLast().eventId()).isEqualTo(lost.id().toString());
                assertThat(records.getLast().id()).isGreaterThan(liveRecords.getLast().id());
                assertThat(all(shadowReader, query("user:bob", null, T0.plusSeconds(2), T0.plusSeconds(3), null, null)))
                        .extracting(AuditRecord::eventId).containsExactly(lost.id().toString());
                // The identity goes on after the highest id: the next live append does not collide.
                rebuilt.placeStrays();
                new AuditStore(shadow).append(List.of(event("user:carol", "created", "tenant", "next", T0.plusSeconds(9))),
                        SqlStore.Checkpoint.NONE);
                assertThat(all(shadowReader, query("user:carol", null, null, null, null, null)).getFirst().id())
                        .isGreaterThan(records.getLast().id());
            } finally {
                shadow.discard();
            }
        }
    }

    private static dev.controlplane.schemas.SecurityEvent failedCalls(Instant window) {
        return new dev.controlplane.schemas.SecurityEvent(UUID.randomUUID(), "auth.failed", 1, window, 60, "anonymous",
                "10.0.0.9", 3, java.util.Map.of("unknown token", 3L), List.of("GET /api/v1/tenants"));
    }

    private static AuditQuery query(String actor, List<String> actions, Instant since, Instant until, String kind, String name) {
        return new AuditQuery(actor, actions, since, until, kind, name, true, 7, null);
    }

    /** Every page of {@code query}, in its order. */
    private static List<AuditRecord> all(AuditStore audit, AuditQuery query) throws SQLException {
        List<AuditRecord> records = new ArrayList<>();
        Long after = null;
        while (true) {
            AuditStore.Page page = audit.query(new AuditQuery(query.actor(), query.actions(), query.since(), query.until(),
                    query.resourceKind(), query.resourceName(), query.ascending(), query.limit(), after));
            records.addAll(page.records());
            if (!page.more()) {
                return records;
            }
            after = page.records().getLast().id();
        }
    }

    private static List<String> expected(List<EventEnvelope> events, java.util.function.Predicate<EventEnvelope> filter) {
        return events.stream().filter(filter).map(e -> e.id().toString()).toList();
    }

    private static EventEnvelope event(String actor, String verb, String kind, String name, Instant at) {
        var data = Envelopes.MAPPER.createObjectNode().put("name", name);
        return new EventEnvelope(UUID.randomUUID(), kind + "." + verb, 1, new ResourceRef(kind, name), 1, UUID.randomUUID(),
                actor, new RequestContext("req-1", "10.0.0.1", "test"), at, data, Envelopes.MAPPER.createObjectNode());
    }
}
