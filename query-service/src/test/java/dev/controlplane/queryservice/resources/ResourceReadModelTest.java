package dev.controlplane.queryservice.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.jdbcstore.TestDatabases;
import dev.controlplane.jdbcstore.TestDatabases.Engine;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.RequestContext;
import dev.controlplane.schemas.ResourceRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The read model on both engines, on PostgreSQL as the services' role: newest version wins, lists page by name. */
class ResourceReadModelTest {

    @ParameterizedTest
    @EnumSource(Engine.class)
    void keepsEachResourcesNewestVersion_whateverOrderItIsAppliedIn(Engine engine) throws Exception {
        Database database = engine == Engine.POSTGRESQL ? TestDatabases.withServiceRole() : TestDatabases.fresh(engine);
        try (SqlStore sql = SqlStore.open(database, "read-model", 2)) {
            ResourceReadModel model = new ResourceReadModel(sql);
            model.apply(List.of(event("a", 1, "active"), event("a", 2, "inactive"), event("b", 1, "active")),
                    new SqlStore.Checkpoint("read-model", "admin.events", Map.of(0, 3L)));
            // A replay of older events (a second projector, a rebuild overlapping the live one) changes nothing.
            model.apply(List.of(event("a", 1, "active")), SqlStore.Checkpoint.NONE);

            assertThat(model.find("tenant", "a")).hasValueSatisfying(row -> {
                assertThat(row.version()).isEqualTo(2);
                assertThat(row.status()).isEqualTo("inactive");
            });
            assertThat(model.list("tenant", false, null, 10)).extracting(ResourceReadModel.Row::name).containsExactly("b");
            assertThat(model.list("tenant", true, null, 10)).extracting(ResourceReadModel.Row::name).containsExactly("a", "b");
            assertThat(model.list("tenant", true, "a", 10)).extracting(ResourceReadModel.Row::name).containsExactly("b");
            assertThat(model.find("tenant", "missing")).isEmpty();
            assertThat(sql.positions("read-model", "admin.events")).containsEntry(0, 3L);
        }
    }

    private static EventEnvelope event(String name, long version, String status) {
        var data = Envelopes.MAPPER.createObjectNode().put("name", name).put("status", status).put("cluster", "main");
        return new EventEnvelope(UUID.randomUUID(), version == 1 ? "tenant.created" : "tenant.updated", 1, new ResourceRef("tenant", name),
                version, UUID.randomUUID(), "admin", new RequestContext("r", null, null), Instant.now(), data,
                Envelopes.MAPPER.createObjectNode());
    }
}
