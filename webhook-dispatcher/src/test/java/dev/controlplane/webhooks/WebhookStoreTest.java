package dev.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.jdbcstore.TestDatabases.Engine;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.webhooksupport.SecretBox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dispatchers' shared store on both engines, on PostgreSQL as the services' role (which owns nothing): deliveries
 * are made once per subscription and event, two dispatchers claiming at once never take one delivery both, and an
 * outcome is fenced by the claim it was made under.
 */
class WebhookStoreTest {

    private static final Duration LEASE = Duration.ofSeconds(40);

    @ParameterizedTest
    @EnumSource(Engine.class)
    void onlyOpenDeliveries_areIndexedByDueTimeAndLease_andTheIndexesAreValid(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore store = SqlStore.open(database, "webhooks", 2)) {
            new DeliveryQueue(store, "dispatcher", LEASE);
            String sql = engine == Engine.POSTGRESQL
                    ? "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
                            + " WHERE t.relname = 'deliveries' AND t.relnamespace = current_schema()::regnamespace AND i.indisvalid"
                    : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL";
            List<String> indexes = store.read(connection -> {
                List<String> names = new ArrayList<>();
                try (var select = connection.prepareStatement(sql); var rows = select.executeQuery()) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                }
                return names;
            });

            assertThat(indexes).contains("deliveries_pending", "deliveries_sending", "deliveries_by_subscription")
                    .doesNotContain("deliveries_due", "deliveries_due_order", "deliveries_leased");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void twoDispatchers_shareTheDeliveries_eachTakenOnce(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore a = SqlStore.open(database, "webhooks", 2); SqlStore b = SqlStore.open(database, "webhooks", 2)) {
            SubscriptionProjection projection = new SubscriptionProjection(a, LEASE);
            Instant now = Instant.now();
            List<EventEnvelope> events = hookAndTenants(now, 40);
            projection.project(events, SqlStore.Checkpoint.NONE, now);
            new SubscriptionProjection(b, LEASE).project(events, SqlStore.Checkpoint.NONE, now);
            AttemptLog log = new AttemptLog(a);
            // The subscription's own creation matches "*" too.
            assertThat(log.deliveries("hook", null, null, null, null, 100)).hasSize(41);

            DeliveryQueue first = new DeliveryQueue(a, "first", LEASE);
            DeliveryQueue second = new DeliveryQueue(b, "second", LEASE);
            CompletableFuture<List<Long>> byFirst = CompletableFuture.supplyAsync(() -> claimAll(first, now));
            CompletableFuture<List<Long>> bySecond = CompletableFuture.supplyAsync(() -> claimAll(second, now));
            List<Long> all = new ArrayList<>(byFirst.get());
            all.addAll(bySecond.get());
            assertThat(all).hasSize(41).doesNotHaveDuplicates();

            // The first dispatcher's lease on one delivery runs out; the second takes it, then the first reports late.
            Delivery late = first.claimDue(now.plus(LEASE).plusSeconds(1), 1).getFirst();
            Delivery taken = second.claimDue(now.plus(LEASE.multipliedBy(2)).plusSeconds(2), 50).stream()
                    .filter(d -> d.id() == late.id()).findFirst().orElseThrow();
            first.recordOutcomes(List.of(new DeliveryQueue.Outcome(late, new Attempt(1, now.toEpochMilli(), 500, 3, "no", null),
                    "pending", now.toEpochMilli(), false)));
            assertThat(log.deliveries("hook", "sending", null, null, null, 100)).extracting(Delivery::id).contains(late.id());
            second.recordOutcomes(List.of(new DeliveryQueue.Outcome(taken, new Attempt(2, now.toEpochMilli(), 204, 2, null, null),
                    "succeeded", null, true)));
            assertThat(log.deliveries("hook", "succeeded", null, null, null, 100)).extracting(Delivery::id).containsExactly(late.id());
            assertThat(log.attempts(late.id())).extracting(Attempt::statusCode).containsExactly(500, 204);
            assertThat(projection.subscription("hook")).hasValueSatisfying(s -> assertThat(s.lastSuccessAtMs()).isNotNull());
            assertThat(first.redeliver("hook", late.id(), now)).isEqualTo("pending");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void oneRound_recordsWhatFinished_andClaimsTheEarliestDue_andLaterRoundsTakeTheExpiredLeases_eachOnce(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore store = SqlStore.open(database, "webhooks", 2)) {
            SubscriptionProjection projection = new SubscriptionProjection(store, LEASE);
            Instant now = Instant.now();
            List<EventEnvelope> events = hookAndTenants(now, 9);
            projection.project(events, SqlStore.Checkpoint.NONE, now);
            DeliveryQueue queue = new DeliveryQueue(store, "dispatcher", LEASE);
            List<Delivery> first = queue.claimDue(now, 3);
            assertThat(first).hasSize(3);
            // The body comes back as the UTF-8 bytes of the document stored, on both engines.
            assertThat(first).allSatisfy(delivery -> assertThat(Envelopes.MAPPER.readTree(delivery.payload()).path("type").asString())
                    .isIn("webhook.created", "tenant.created"));

            // The first succeeded, the second is to be retried in a minute, the third failed for good.
            List<DeliveryQueue.Outcome> outcomes = List.of(
                    new DeliveryQueue.Outcome(first.get(0), new Attempt(1, now.toEpochMilli(), 204, 2, null, null), "succeeded", null, true),
                    new DeliveryQueue.Outcome(first.get(1), new Attempt(1, now.toEpochMilli(), 500, 2, "no\u0000pe", null), "pending",
                            now.plusSeconds(60).toEpochMilli(), false),
                    new DeliveryQueue.Outcome(first.get(2), new Attempt(1, now.toEpochMilli(), 400, 2, "no", null), "failed", null, false));
            List<Delivery> next = queue.settleAndClaim(outcomes, now, 4);
            List<Long> firstIds = first.stream().map(Delivery::id).toList();
            assertThat(next).extracting(Delivery::id).doesNotContainAnyElementsOf(firstIds).isSorted().hasSize(4);
            AttemptLog log = new AttemptLog(store);
            assertThat(log.deliveries("hook", "succeeded", null, null, null, 100)).extracting(Delivery::id).containsExactly(firstIds.get(0));
            assertThat(log.deliveries("hook", "failed", null, null, null, 100)).extracting(Delivery::id).containsExactly(firstIds.get(2));
            assertThat(log.deliveries("hook", "pending", null, null, null, 100)).extracting(Delivery::id).contains(firstIds.get(1));
            // One success in the round: the subscription's last success is its time, and it is not failing.
            assertThat(projection.subscription("hook")).hasValueSatisfying(hook -> {
                assertThat(hook.lastSuccessAtMs()).isEqualTo(now.toEpochMilli());
                assertThat(hook.failingSinceMs()).isNull();
            });
            Delivery failing = next.getFirst();
            queue.settleAndClaim(List.of(new DeliveryQueue.Outcome(failing, new Attempt(1, now.plusSeconds(1).toEpochMilli(), 503, 2, null, null),
                    "pending", now.plusSeconds(60).toEpochMilli(), false)), now, 0);
            assertThat(projection.subscription("hook")).hasValueSatisfying(hook -> {
                assertThat(hook.lastSuccessAtMs()).isEqualTo(now.toEpochMilli());
                assertThat(hook.failingSinceMs()).isEqualTo(now.plusSeconds(1).toEpochMilli());
            });
            // A receiver's NUL byte is dropped, not a round that PostgreSQL refuses.
            assertThat(log.attempts(firstIds.get(1))).extracting(Attempt::statusCode, Attempt::responseBody).containsExactly(tuple(500, "nope"));

            // Past the lease (not yet the retries): the three claimed and never reported, and the three never claimed, are
            // due; a round takes no more than it is given room for, and the next takes the rest.
            Instant later = now.plus(LEASE).plusSeconds(1);
            List<Long> taken = new ArrayList<>(queue.settleAndClaim(List.of(), later, 5).stream().map(Delivery::id).toList());
            assertThat(taken).hasSize(5);
            taken.addAll(queue.settleAndClaim(List.of(), later, 10).stream().map(Delivery::id).toList());
            assertThat(taken).doesNotHaveDuplicates().hasSize(6).doesNotContainAnyElementsOf(firstIds).doesNotContain(failing.id());
            assertThat(queue.settleAndClaim(List.of(), later, 10)).isEmpty();
            assertThat(queue.nextDueAtMs()).contains(now.plusSeconds(60).toEpochMilli());

            // All eight unsettled are due past both leases; one given back unattempted (its dispatcher stopped first) is due
            // again at once, not after the lease.
            Instant muchLater = later.plus(LEASE).plusSeconds(1);
            List<Delivery> all = queue.claimDue(muchLater, 10);
            assertThat(all).hasSize(8);
            Delivery held = all.stream().filter(d -> d.id() != failing.id()).findFirst().orElseThrow();
            queue.release(List.of(held));
            assertThat(queue.claimDue(muchLater.minus(LEASE), 10)).extracting(Delivery::id).containsExactly(held.id());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRebuildsCopy_takesTheDispatchersStateExactly_andDeliversOnAfterEveryCopiedId(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore live = SqlStore.open(database, "webhooks", 2)) {
            SubscriptionProjection projection = new SubscriptionProjection(live, LEASE);
            DeliveryQueue queue = new DeliveryQueue(live, "dispatcher", LEASE);
            Instant now = Instant.now();
            List<EventEnvelope> events = hookAndTenants(now, 30);
            projection.project(events.subList(0, 20), new SqlStore.Checkpoint("dispatchers", Topics.EVENTS, Map.of(0, 20L)), now);
            settle(queue, now, 5, 500);
            assertThat(projection.markDisabling("hook", "failing")).isTrue();
            live.deadLetter("dispatchers", Topics.EVENTS, 0, 7, "tenant/t7", "refused");

            SqlStore shadow = live.openShadow();
            try {
                StoreRebuild.Target target = WebhookStoreRebuild.target(live, "dispatchers");
                // The replay reads past the live projector; it made no deliveries for what it read beyond.
                SubscriptionProjection.projectSubscriptions(shadow, events, new SqlStore.Checkpoint("dispatchers", Topics.EVENTS, Map.of(0, 31L)));
                target.alongside(shadow);
                // The dispatchers go on meanwhile: new deliveries, attempts, settled ones, leases, a cleared mark.
                projection.project(events.subList(20, 25), new SqlStore.Checkpoint("dispatchers", Topics.EVENTS, Map.of(0, 25L)), now);
                settle(queue, now, 8, 204);
                queue.claimDue(now, 2);
                projection.clearDisabling("hook");
                target.beforeSwitch(shadow);
                for (String table : List.of("subscriptions ORDER BY name", "deliveries ORDER BY id", "attempts ORDER BY id",
                        "projector_positions ORDER BY projector, topic, partition_id",
                        "projector_dead_letters ORDER BY projector, topic, partition_id, record_offset")) {
                    assertThat(rows(shadow, table)).as(table).isEqualTo(rows(live, table)).isNotEmpty();
                }
                assertThat(shadow.positions("dispatchers", Topics.EVENTS)).isEqualTo(Map.of(0, 25L));
                long highest = Long.parseLong(rows(live, "deliveries ORDER BY id DESC").getFirst().split("\\|")[0]);
                new SubscriptionProjection(shadow, LEASE).project(List.of(TestEvents.event("tenant.created", new ResourceRef("tenant", "next"),
                        Envelopes.MAPPER.createObjectNode().put("name", "next").put("status", "active"), now)), SqlStore.Checkpoint.NONE, now);
                assertThat(rows(shadow, "deliveries ORDER BY id DESC").getFirst()).startsWith((highest + 1) + "|");
                Delivery next = new DeliveryQueue(shadow, "dispatcher", LEASE).claimDue(now.plus(LEASE.multipliedBy(3)), 100).stream()
                        .filter(d -> d.id() == highest + 1).findFirst().orElseThrow();
                new DeliveryQueue(shadow, "dispatcher", LEASE).recordOutcomes(List.of(new DeliveryQueue.Outcome(next,
                        new Attempt(1, now.toEpochMilli(), 204, 1, null, null), "succeeded", null, true)));
            } finally {
                shadow.discard();
            }
        }
    }

    /** The subscription "hook" (every event) created a minute ago, then {@code tenants} tenants created now. */
    private static List<EventEnvelope> hookAndTenants(Instant now, int tenants) {
        List<EventEnvelope> events = new ArrayList<>();
        events.add(TestEvents.subscription("hook", "https://hooks.example.com/in", SecretBox.newKey(), now.minusSeconds(60), now));
        for (int i = 0; i < tenants; i++) {
            events.add(TestEvents.tenantCreated("t" + i, now));
        }
        return events;
    }

    /** Claims up to {@code count} due deliveries and records an attempt of each that answered {@code status}. */
    private static void settle(DeliveryQueue queue, Instant now, int count, int status) throws java.sql.SQLException {
        List<DeliveryQueue.Outcome> outcomes = new ArrayList<>();
        for (Delivery delivery : queue.claimDue(now, count)) {
            boolean ok = status / 100 == 2;
            outcomes.add(new DeliveryQueue.Outcome(delivery, new Attempt(delivery.attempts() + 1, now.toEpochMilli(), status, 3,
                    ok ? null : "no", null), ok ? "succeeded" : "pending", ok ? null : now.toEpochMilli(), ok));
        }
        queue.recordOutcomes(outcomes);
    }

    private static List<String> rows(SqlStore store, String table) throws java.sql.SQLException {
        return store.read(c -> {
            List<String> rows = new ArrayList<>();
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT * FROM " + table)) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.append(rs.getString(i)).append('|');
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        });
    }

    private static List<Long> claimAll(DeliveryQueue queue, Instant now) {
        try {
            List<Long> ids = new ArrayList<>();
            for (List<Delivery> claimed = queue.claimDue(now, 3); !claimed.isEmpty(); claimed = queue.claimDue(now, 3)) {
                claimed.forEach(d -> ids.add(d.id()));
            }
            return ids;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
