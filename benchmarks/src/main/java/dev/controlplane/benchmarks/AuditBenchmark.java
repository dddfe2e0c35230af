package dev.controlplane.benchmarks;

import dev.controlplane.auditstore.AuditQuery;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.CommandIds;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * {@code ./dev bench audit [records=10000000]}: loads the audit store of each engine (SQLite, and PostgreSQL started
 * from Maven artifacts) with a skewed history, then measures page 1 and a deep page of every filter shape, both
 * orders. Loading through the store is compared with raw batched inserts of the same rows into the same table,
 * measured in the same run. Prints a table per engine and writes {@code benchmarks/target/audit-bench.json}.
 */
final class AuditBenchmark {

    private static final int BATCH = 2_000;
    private static final int RAW_ROWS = 400_000;
    private static final int WARMUP = 20;
    private static final int SAMPLES = 200;
    private static final Instant START = Instant.parse("2026-08-01T00:00:00Z");
    private static final Duration SPAN = Duration.ofDays(120);

    private AuditBenchmark() {
    }

    record Shape(String name, String actor, List<String> actions, Instant since, Instant until, String kind, String resourceName) {
    }

    record Figure(String shape, String order, String page, double p50, double p99, int rows) {
    }

    static void run(long records) throws Exception {
        Path dir = ScratchDir.create("admin-audit-bench-");
        System.out.printf("%nAudit benchmark: %,d records per engine, in %s%n", records, dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("records", records);
        json.put("measured_at", Instant.now().toString());
        json.put("sqlite", measure("sqlite", Database.at("jdbc:sqlite:" + dir.resolve("audit.db")),
                Database.at("jdbc:sqlite:" + dir.resolve("raw.db")), records, dir));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres"))
                .setCleanDataDirectory(true).start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE audit");
                st.execute("CREATE DATABASE raw");
            }
            String base = "jdbc:postgresql://localhost:" + postgres.getPort() + "/";
            json.put("postgresql", measure("postgresql", new Database(base + "audit", "postgres", null, null, null),
                    new Database(base + "raw", "postgres", null, null, null), records, dir));
        }
        // Tens of GiB at 10M records: the stores go when their figures are taken.
        ScratchDir.delete(dir);
        Path out = Path.of("benchmarks", "target", "audit-bench.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, Envelopes.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("\nwritten to " + out.toAbsolutePath());
    }

    private static Map<String, Object> measure(String engine, Database live, Database raw, long records, Path dir) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Generator generator = new Generator(records);
        double rawRate;
        try (SqlStore store = SqlStore.open(raw, "audit", 1)) {
            new AuditStore(store);
            rawRate = rawInserts(store, generator, (int) Math.min(records, RAW_ROWS));
            if (raw.dialect() == SqlStore.Dialect.POSTGRESQL) {
                // The baseline's pages are written out now, not by the next checkpoint while the store is measured.
                store.read(c -> c.createStatement().execute("CHECKPOINT"));
            }
        }
        long started = System.nanoTime();
        double firstRate = 0;
        try (SqlStore store = SqlStore.open(live, "audit", 4)) {
            AuditStore audit = new AuditStore(store);
            // Making up the history is not the store's work: its time is left out of the store's rate.
            long generating = 0;
            for (long from = 0; from < records; from += BATCH) {
                long made = System.nanoTime();
                List<EventEnvelope> batch = new ArrayList<>(BATCH);
                for (long i = from; i < Math.min(records, from + BATCH); i++) {
                    batch.add(generator.event(i));
                }
                generating += System.nanoTime() - made;
                audit.append(batch, new SqlStore.Checkpoint("audit-projector", "admin.events", Map.of(0, from + batch.size())));
                if (from + BATCH == Math.min(records, RAW_ROWS)) {
                    firstRate = Math.min(records, RAW_ROWS) / (seconds(started) - generating / 1e9);
                }
                if ((from / BATCH) % 500 == 0 && from > 0) {
                    System.out.printf("  %s: %,d records loaded, %,.0f/s%n", engine, from, from / (seconds(started) - generating / 1e9));
                }
            }
            double loadRate = records / (seconds(started) - generating / 1e9);
            if (firstRate == 0) {
                firstRate = loadRate;
            }
            if (live.dialect() == SqlStore.Dialect.POSTGRESQL) {
                // What autovacuum would have done by then: the planner's statistics.
                store.write(c -> c.createStatement().execute("ANALYZE audit_records"));
            }
            long bytes = size(store, live, dir);
            System.out.printf("%n%s: raw batched inserts %,.0f rows/s (first %,d rows); through the store %,.0f rows/s over the"
                            + " same first rows = %.2f×, %,.0f rows/s over all %,d; store size %,d MiB%n",
                    engine, rawRate, Math.min(records, RAW_ROWS), firstRate, firstRate / rawRate, loadRate, records, bytes >> 20);
            result.put("raw_rows_per_second", Math.round(rawRate));
            result.put("store_rows_per_second_first_rows", Math.round(firstRate));
            result.put("load_ratio", Math.round(firstRate / rawRate * 100) / 100.0);
            result.put("store_rows_per_second_all", Math.round(loadRate));
            result.put("size_bytes", bytes);
            List<Figure> figures = queries(audit, generator, records);
            double worst = figures.stream().mapToDouble(Figure::p99).max().orElse(0);
            System.out.printf("%-62s %-5s %-5s %9s %9s %5s%n", engine + ": shape", "order", "page", "p50 ms", "p99 ms", "rows");
            for (Figure f : figures) {
                System.out.printf("%-62s %-5s %-5s %9.2f %9.2f %5d%s%n", f.shape(), f.order(), f.page(), f.p50(), f.p99(), f.rows(),
                        f.p99() > 5 ? "  > 5 ms" : "");
            }
            System.out.printf("%s: worst p99 %.2f ms over %d measurements%n", engine, worst, figures.size());
            result.put("worst_p99_ms", worst);
            result.put("queries", figures);
        }
        return result;
    }

    private static double rawInserts(SqlStore store, Generator generator, int rows) throws Exception {
        List<Object[]> values = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            EventEnvelope e = generator.event(i);
            values.add(new Object[] {e.id().toString(), ChronoUnit.MICROS.between(Instant.EPOCH, e.occurredAt()), e.actor(), e.action(),
                    e.action().substring(e.action().indexOf('.') + 1), e.resource().kind(), e.resource().name(), e.sequence(),
                    e.commandId().toString(), e.request().requestId(), e.request().sourceIp(), e.request().userAgent(),
                    Envelopes.MAPPER.writeValueAsString(e.changes())});
        }
        long started = System.nanoTime();
        for (int from = 0; from < rows; from += BATCH) {
            int start = from;
            store.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_records (event_id, occurred_at_us, actor, action, verb,"
                        + " resource_kind, resource_name, version, command_id, request_id, source_ip, user_agent, changes)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (int i = start; i < Math.min(rows, start + BATCH); i++) {
                        Object[] row = values.get(i);
                        for (int k = 0; k < row.length; k++) {
                            ps.setObject(k + 1, row[k]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
        return rows / seconds(started);
    }

    private static List<Figure> queries(AuditStore audit, Generator generator, long records) throws Exception {
        Instant end = START.plus(SPAN);
        Instant middle = START.plus(SPAN.dividedBy(2));
        List<Shape> shapes = List.of(
                new Shape("everything", null, null, null, null, null, null),
                new Shape("actor (60%)", "token:automation", null, null, null, null, null),
                new Shape("actor (rare)", "token:breakglass", null, null, null, null, null),
                new Shape("action (common)", null, List.of("tenant.update"), null, null, null, null),
                new Shape("action (rare)", null, List.of("plugin.reactivate"), null, null, null, null),
                new Shape("verb (common)", null, List.of("update"), null, null, null, null),
                new Shape("verb (rare)", null, List.of("reactivate"), null, null, null, null),
                new Shape("resource kind", null, null, null, null, "role", null),
                new Shape("resource", null, null, null, null, "tenant", "tenant-3"),
                new Shape("actor (60%) + action (common)", "token:automation", List.of("tenant.update"), null, null, null, null),
                new Shape("actor (60%) + action it never did", "token:automation", List.of("role.deactivate"), null, null, null, null),
                new Shape("actor (rare) + action (rare)", "token:breakglass", List.of("token.deactivate"), null, null, null, null),
                new Shape("actor + verb", "user:alice", List.of("deactivate"), null, null, null, null),
                new Shape("actor + resource kind", "user:bob", null, null, null, "policy", null),
                new Shape("actor (60%) + resource", "token:automation", null, null, null, "tenant", "tenant-3"),
                new Shape("action + resource", null, List.of("tenant.update"), null, null, "tenant", "tenant-3"),
                new Shape("verb + resource kind", null, List.of("reactivate"), null, null, "webhook", null),
                new Shape("two actions", null, List.of("tenant.create", "user.deactivate"), null, null, null, null),
                new Shape("action or verb", null, List.of("tenant.create", "deactivate"), null, null, null, null),
                new Shape("since (last day)", null, null, end.minus(Duration.ofDays(1)), null, null, null),
                new Shape("actor (60%) + since (last day)", "token:automation", null, end.minus(Duration.ofDays(1)), null, null, null),
                new Shape("actor (rare) + action (rare) + since (30 days)", "token:breakglass", List.of("token.deactivate"),
                        end.minus(Duration.ofDays(30)), null, null, null),
                new Shape("action + since/until (1 hour, mid-history)", null, List.of("tenant.update"), middle, middle.plus(Duration.ofHours(1)), null, null),
                new Shape("actor (60%) + never + since/until (7 days)", "token:automation", List.of("role.deactivate"),
                        middle, middle.plus(Duration.ofDays(7)), null, null),
                new Shape("actor (rare) + until (first week)", "token:breakglass", null, null, START.plus(Duration.ofDays(7)), null, null),
                new Shape("actor (60%) + until (first day)", "token:automation", null, null, START.plus(Duration.ofDays(1)), null, null),
                new Shape("verb + since/until (1 day)", null, List.of("deactivate"), middle, middle.plus(Duration.ofDays(1)), null, null),
                new Shape("resource + since", null, null, middle, null, "tenant", "tenant-3"),
                new Shape("zero: since after the last record", "user:alice", null, end.plus(Duration.ofDays(1)), null, null, null),
                new Shape("zero: action of another kind than asked", null, List.of("tenant.update"), null, null, "user", null),
                new Shape("zero: actor (rare) + verb it never did", "user:auditor", List.of("create"), null, null, null, null));
        long deep = records / 2;
        List<Figure> figures = new ArrayList<>();
        for (Shape shape : shapes) {
            for (boolean ascending : new boolean[] {false, true}) {
                for (Long after : new Long[] {null, deep}) {
                    AuditQuery query = new AuditQuery(shape.actor(), shape.actions(), shape.since(), shape.until(), shape.kind(),
                            shape.resourceName(), ascending, 50, after);
                    int rows = 0;
                    for (int i = 0; i < WARMUP; i++) {
                        rows = audit.query(query).records().size();
                    }
                    double[] samples = new double[SAMPLES];
                    for (int i = 0; i < SAMPLES; i++) {
                        long t = System.nanoTime();
                        audit.query(query);
                        samples[i] = (System.nanoTime() - t) / 1e6;
                    }
                    Arrays.sort(samples);
                    figures.add(new Figure(shape.name(), ascending ? "asc" : "desc", after == null ? "1" : "deep",
                            samples[SAMPLES / 2], samples[(int) Math.ceil(SAMPLES * 0.99) - 1], rows));
                }
            }
        }
        return figures;
    }

    private static long size(SqlStore store, Database database, Path dir) throws Exception {
        if (database.dialect() == SqlStore.Dialect.SQLITE) {
            long bytes = 0;
            for (String suffix : List.of("", "-wal", "-shm")) {
                Path file = dir.resolve("audit.db" + suffix);
                bytes += Files.exists(file) ? Files.size(file) : 0;
            }
            return bytes;
        }
        return store.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * A history with the skew of a real one: one automation token writes 60% of it, a handful of people most of the
     * rest, a break-glass token and an auditor almost never; updates dominate; some actors never do some things; a
     * few resources get most changes. Time runs over {@link #SPAN}, one record in a thousand arriving up to two hours
     * late. Record {@code i} is the same in every run and on every engine.
     */
    static final class Generator {

        private static final String[] KINDS = {"tenant", "user", "role", "cluster", "token", "policy", "plugin", "webhook", "config"};
        private static final double[] KIND_WEIGHTS = {0.35, 0.20, 0.10, 0.10, 0.08, 0.07, 0.04, 0.03, 0.03};
        private static final String[] VERBS = {"updated", "created", "deactivated", "reactivated"};
        private static final double[] VERB_WEIGHTS = {0.70, 0.20, 0.08, 0.02};
        private final long records;

        Generator(long records) {
            this.records = records;
        }

        EventEnvelope event(long i) {
            SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
            double a = random.nextDouble();
            String actor;
            String kind;
            String verb;
            if (a < 0.0001) {
                actor = "token:breakglass";
                kind = random.nextBoolean() ? "token" : "policy";
                verb = random.nextBoolean() ? "deactivated" : "updated";
            } else if (a < 0.0006) {
                actor = "user:auditor";
                kind = pick(random, KINDS, KIND_WEIGHTS);
                verb = "reactivated";
            } else {
                actor = a < 0.6006 ? "token:automation" : a < 0.72 ? "user:alice" : a < 0.80 ? "user:bob" : a < 0.86 ? "token:ci"
                        : "user:u" + random.nextInt(40);
                kind = pick(random, KINDS, KIND_WEIGHTS);
                verb = pick(random, VERBS, VERB_WEIGHTS);
                if (actor.equals("token:automation") && kind.equals("role") && verb.equals("deactivated")) {
                    verb = "updated";
                }
            }
            double r = random.nextDouble();
            String name = kind + "-" + (int) (r * r * r * 200_000);
            long offset = (long) (SPAN.toNanos() / (double) records * i / 1000);
            Instant at = START.plus(offset, ChronoUnit.MICROS);
            if (random.nextInt(1000) == 0) {
                at = at.minus(random.nextLong(7_200_000_000L), ChronoUnit.MICROS);
            }
            var data = Envelopes.MAPPER.createObjectNode().put("name", name).put("status", "active").put("display_name", "Display " + name);
            var changes = Envelopes.MAPPER.createObjectNode();
            changes.putObject("display_name").put("from", "Display " + (i - 1)).put("to", "Display " + name);
            return new EventEnvelope(new UUID(i, random.nextLong()), kind + "." + verb, 1, new ResourceRef(kind, name), 1 + (i % 50),
                    CommandIds.next(), actor, new RequestContext("req-" + i, "10.1." + (i % 200) + "." + (i % 250), "automation/1.0"),
                    at, data, changes);
        }

        private static String pick(SplittableRandom random, String[] values, double[] weights) {
            double x = random.nextDouble();
            for (int k = 0; k < values.length; k++) {
                x -= weights[k];
                if (x < 0) {
                    return values[k];
                }
            }
            return values[values.length - 1];
        }
    }
}
