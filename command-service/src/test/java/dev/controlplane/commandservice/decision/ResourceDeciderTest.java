package dev.controlplane.commandservice.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.commandservice.decision.Decision.Accepted;
import dev.controlplane.commandservice.decision.Decision.Rejected;
import dev.controlplane.commandservice.decision.ResourceCommand.ChangeItem;
import dev.controlplane.commandservice.decision.ResourceCommand.CreateResource;
import dev.controlplane.commandservice.decision.ResourceCommand.ItemChange;
import dev.controlplane.commandservice.decision.ResourceCommand.PatchResource;
import dev.controlplane.commandservice.decision.ResourceCommand.UpdateResource;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceCreated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceDeactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceReactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceUpdated;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** given(events) / when(command) / then(events or rejection), with no framework in sight. */
class ResourceDeciderTest {

    private static final ResourceRef ACME = new ResourceRef("tenant", "acme");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final ResourceRef ADMINS = new ResourceRef("role", "admins");

    /** What the decision knows of other resources: a cluster "main" is active unless a test says otherwise. */
    private final Map<ResourceRef, String> statuses = new HashMap<>(Map.of(new ResourceRef("cluster", "main"), "active"));
    private final List<ResourceRef> roleHolders = new ArrayList<>();
    private final References references = new References() {
        @Override
        public Optional<String> status(ResourceRef resource) {
            return Optional.ofNullable(statuses.get(resource));
        }

        @Override
        public List<ResourceRef> referrers(ResourceRef target, String kind, String path) {
            return target.equals(ADMINS) && kind.equals("user") && path.equals("roles/*") ? roleHolders : List.of();
        }
    };

    @Test
    void create_recordsCreated_withActiveStatusAndCreatedAt() {
        Decision decision = when(given(), new CreateResource(ACME, fields("{\"cluster\":\"main\"}"), "alice"));

        ResourceEvent event = single(decision);
        assertThat(event).isInstanceOf(ResourceCreated.class);
        assertThat(event.data().toString()).isEqualTo(
                "{\"name\":\"acme\",\"display_name\":\"acme\",\"cluster\":\"main\",\"status\":\"active\","
                        + "\"created_at\":\"2026-01-01T00:00:00Z\",\"created_by\":\"alice\"}");
        assertThat(event.changes().path("cluster").path("to").asString()).isEqualTo("main");
    }

    @Test
    void create_isRejected_whenTheNameExists_evenIfInactive() {
        ResourceState state = given(aTenantCreated(), aTenantDeactivated());

        Decision decision = when(state, new CreateResource(ACME, fields("{\"cluster\":\"main\"}"), "alice"));

        assertThat(decision).isEqualTo(new Rejected(new Rejection.AlreadyExists(ACME, "inactive")));
    }

    @Test
    void update_recordsUpdated_withWhatChanged() {
        Decision decision = when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"display_name\":\"Acme Inc\"}"), false));

        ResourceEvent event = single(decision);
        assertThat(event).isInstanceOf(ResourceUpdated.class);
        assertThat(event.changes().toString()).isEqualTo("{\"display_name\":{\"from\":\"acme\",\"to\":\"Acme Inc\"}}");
        assertThat(event.data().path("cluster").asString()).isEqualTo("main");
    }

    @Test
    void update_isRejected_whenTheExpectedVersionIsStale() {
        Decision decision = when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"display_name\":\"x\"}"), false));

        assertThat(decision).isEqualTo(new Rejected(new Rejection.VersionMismatch(ACME, ExpectedVersion.exactly(1), 2)));
    }

    @Test
    void update_withAnyVersion_appliesToTheCurrentVersion() {
        Decision decision = when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"display_name\":\"x\"}"), false));

        assertThat(single(decision)).isInstanceOf(ResourceUpdated.class);
    }

    @Test
    void update_toInactive_recordsDeactivated_andBackToActive_recordsReactivated() {
        assertThat(single(when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"status\":\"inactive\"}"), false))))
                .isInstanceOf(ResourceDeactivated.class);
        assertThat(single(when(given(aTenantCreated(), aTenantDeactivated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(2), fields("{\"status\":\"active\"}"), false))))
                .isInstanceOf(ResourceReactivated.class);
    }

    @Test
    void update_thatChangesNothing_isAcceptedWithoutEvents() {
        Decision decision = when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.exactly(1), fields("{\"cluster\":\"main\"}"), false));

        assertThat(decision).isEqualTo(new Accepted(List.of()));
    }

    @Test
    void update_isRejected_whenItChangesCreatedAt_butAcceptsTheSameValue() {
        ResourceState state = given(aTenantCreated());
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"created_at\":\"1999-01-01T00:00:00Z\"}"), false)))
                .isEqualTo(new Rejected(new Rejection.ImmutableField("created_at")));
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"created_at\":\"2026-01-01T00:00:00Z\"}"), false)))
                .isEqualTo(new Accepted(List.of()));
    }

    @Test
    void update_isRejected_whenTheResourceDoesNotExist() {
        assertThat(when(given(), new UpdateResource(ACME, ExpectedVersion.ANY, fields("{}"), false)))
                .isEqualTo(new Rejected(new Rejection.NotFound(ACME)));
    }

    @Test
    void evolve_advancesTheSequenceByOnePerEvent() {
        assertThat(given(aTenantCreated(), aTenantDeactivated()).sequence()).isEqualTo(2);
    }

    @Test
    void create_isRejected_whenAReferenceNamesAMissingOrInactiveResource() {
        statuses.remove(new ResourceRef("cluster", "main"));
        CreateResource create = new CreateResource(ACME, fields("{\"cluster\":\"main\"}"), "alice");
        assertThat(when(given(), create))
                .isEqualTo(new Rejected(new Rejection.BrokenReference("/cluster", new ResourceRef("cluster", "main"), false)));

        statuses.put(new ResourceRef("cluster", "main"), "inactive");
        assertThat(when(given(), create))
                .isEqualTo(new Rejected(new Rejection.BrokenReference("/cluster", new ResourceRef("cluster", "main"), true)));
    }

    @Test
    void update_checksOnlyReferencesItSets_soAnUnchangedReferenceNeedsNoLookup() {
        ResourceState state = given(aTenantCreated());
        statuses.clear();

        assertThat(single(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"display_name\":\"A\"}"), false))))
                .isInstanceOf(ResourceUpdated.class);
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"cluster\":\"other\"}"), false)))
                .isInstanceOf(Rejected.class);
    }

    @Test
    void accessPolicyRealms_referToTenantsAndClusters_butStarIsEveryTenant() {
        ResourceRef policy = new ResourceRef("access_policy", "readers");
        String realms = "{\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"},{\"tenant\":\"acme\",\"cluster\":\"main\"}],"
                + "\"scopes\":[\"metrics:read\"]}";
        assertThat(when(ResourceState.initial(policy), new CreateResource(policy, fields(realms), "alice")))
                .isEqualTo(new Rejected(new Rejection.BrokenReference("/realms/*/tenant", ACME, false)));

        statuses.put(ACME, "active");
        assertThat(single(when(ResourceState.initial(policy), new CreateResource(policy, fields(realms), "alice"))))
                .isInstanceOf(ResourceCreated.class);
    }

    @Test
    void patch_mergesObjects_removesNulls_andKeepsTheRest() {
        ResourceRef plugin = new ResourceRef("plugin", "exporter");
        ResourceState state = givenFor(plugin, single(when(ResourceState.initial(plugin), new CreateResource(plugin,
                fields("{\"version\":\"1.0\",\"source\":\"oci://x\",\"config\":{\"a\":1,\"b\":{\"c\":2}}}"), "alice"))));

        ResourceEvent event = single(when(state, new PatchResource(plugin, ExpectedVersion.exactly(1),
                fields("{\"config\":{\"a\":null,\"b\":{\"d\":3}},\"enabled\":true}"), false)));

        assertThat(event.data().path("config").toString()).isEqualTo("{\"b\":{\"c\":2,\"d\":3}}");
        assertThat(event.data().path("enabled").asBoolean()).isTrue();
        assertThat(event.data().path("version").asString()).isEqualTo("1.0");
        assertThat(event.changes().propertyNames()).containsExactlyInAnyOrder("config", "enabled");
    }

    @Test
    void patch_thatRemovesARequiredField_isRejected_andStatusInactiveDeactivates() {
        ResourceState state = given(aTenantCreated());

        Decision removed = when(state, new PatchResource(ACME, ExpectedVersion.exactly(1), fields("{\"cluster\":null}"), false));
        assertThat(removed).isInstanceOf(Rejected.class);
        assertThat(((Rejected) removed).rejection()).isInstanceOf(Rejection.InvalidDocument.class);

        assertThat(single(when(state, new PatchResource(ACME, ExpectedVersion.exactly(1), fields("{\"status\":\"inactive\"}"), false))))
                .isInstanceOf(ResourceDeactivated.class);
    }

    @Test
    void serverManagedFields_followOneRule_nameIgnored_othersRefusedWhenTheyDiffer() {
        ResourceState state = given(aTenantCreated());
        for (String body : List.of("{\"created_by\":\"mallory\"}", "{\"version\":7}")) {
            assertThat(when(state, new PatchResource(ACME, ExpectedVersion.ANY, fields(body), false)))
                    .isInstanceOf(Rejected.class);
            assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY, fields(body), false)))
                    .isInstanceOf(Rejected.class);
        }
        assertThat(when(state, new UpdateResource(ACME, ExpectedVersion.ANY,
                fields("{\"created_by\":\"alice\",\"version\":1,\"created_at\":\"2026-01-01T00:00:00Z\"}"), false)))
                .isEqualTo(new Accepted(List.of()));
    }

    @Test
    void aRoleHeldByActiveUsers_isNotDeactivated_unlessForced() {
        ResourceState role = givenFor(ADMINS, single(when(ResourceState.initial(ADMINS),
                new CreateResource(ADMINS, fields("{\"scopes\":[\"users:read\"]}"), "alice"))));
        roleHolders.add(new ResourceRef("user", "bob"));
        ObjectNode inactive = fields("{\"status\":\"inactive\"}");

        assertThat(when(role, new UpdateResource(ADMINS, ExpectedVersion.exactly(1), inactive, false)))
                .isEqualTo(new Rejected(new Rejection.InUse(ADMINS, List.of(new ResourceRef("user", "bob")))));
        assertThat(single(when(role, new UpdateResource(ADMINS, ExpectedVersion.exactly(1), inactive, true))))
                .isInstanceOf(ResourceDeactivated.class);
    }

    @Test
    void anImmutableKind_refusesEveryChange() {
        ResourceRef cluster = new ResourceRef("cluster", "east");
        ResourceState state = givenFor(cluster, single(when(ResourceState.initial(cluster),
                new CreateResource(cluster, fields("{\"kind\":\"metrics\"}"), "alice"))));

        assertThat(when(state, new UpdateResource(cluster, ExpectedVersion.ANY, fields("{\"display_name\":\"E\"}"), false)))
                .isEqualTo(new Rejected(new Rejection.NotMutable(cluster)));
    }

    @Test
    void aUser_isNamedByItsUsername_andItsRolesMustBeActive() {
        ResourceRef bob = new ResourceRef("user", "bob");
        CreateResource create = new CreateResource(bob, fields("{\"roles\":[\"admins\"]}"), "alice");
        assertThat(when(ResourceState.initial(bob), create)).isInstanceOf(Rejected.class);

        statuses.put(ADMINS, "active");
        ResourceEvent created = single(when(ResourceState.initial(bob), create));
        assertThat(created.data().path("username").asString()).isEqualTo("bob");
        assertThat(created.data().path("name").asString()).isEqualTo("bob");
    }

    @Test
    void aSingleDocument_isCreatedByItsFirstWrite_onVersionZero_andOnlyThen() {
        ResourceRef config = new ResourceRef("config", "current");
        ObjectNode audit = fields("{\"audit\":{\"retention_days\":30}}");

        assertThat(when(ResourceState.initial(config), new UpdateResource(config, ExpectedVersion.exactly(3), audit, false)))
                .isEqualTo(new Rejected(new Rejection.NotFound(config)));
        ResourceEvent first = single(when(ResourceState.initial(config), new UpdateResource(config, ExpectedVersion.exactly(0), audit, false)));
        assertThat(first).isInstanceOf(ResourceCreated.class);
        assertThat(first.data().path("created_by").asString()).isEqualTo("alice");
        assertThat(when(givenFor(config, first), new UpdateResource(config, ExpectedVersion.exactly(0), audit, false)))
                .isInstanceOf(Rejected.class);
    }

    @Test
    void aConfigUpdate_recordsEachSettingThatChanged_byItsPointer() {
        ResourceRef config = new ResourceRef("config", "current");
        ResourceEvent first = single(when(ResourceState.initial(config), new UpdateResource(config, ExpectedVersion.exactly(0),
                fields("{\"audit\":{\"retention_days\":30},\"tokens\":{\"default_lifetime_days\":7,\"max_lifetime_days\":90}}"), false)));

        ResourceEvent update = single(when(givenFor(config, first), new UpdateResource(config, ExpectedVersion.exactly(1),
                fields("{\"audit\":{\"retention_days\":30},\"tokens\":{\"default_lifetime_days\":7,\"max_lifetime_days\":365},"
                        + "\"labels\":{\"team\":\"core\"}}"), false)));

        assertThat(update).isInstanceOf(ResourceUpdated.class);
        assertThat(update.changes()).isEqualTo(fields("{\"/tokens/max_lifetime_days\":{\"from\":90,\"to\":365},"
                + "\"/labels/team\":{\"from\":null,\"to\":\"core\"}}"));
        assertThat(first.changes().propertyNames()).contains("audit", "tokens");
    }

    @Test
    void itemsOfADocument_areAddedPatchedAndRemovedOneByOne_byName() {
        ResourceRef keys = new ResourceRef("api_keys", "current");
        ObjectNode ci = fields("{\"name\":\"ci-key\",\"key_hash\":\"sha256:1\",\"masked\":\"cpk_…aaaa\"}");
        ResourceEvent added = single(when(ResourceState.initial(keys),
                new ChangeItem(keys, ExpectedVersion.ANY, ItemChange.ADD, "ci-key", ci)));
        ResourceState state = givenFor(keys, added);
        assertThat(state.data().path("keys").get(0).path("created_at").asString()).isEqualTo(NOW.toString());

        assertThat(when(state, new ChangeItem(keys, ExpectedVersion.ANY, ItemChange.ADD, "ci-key", ci)))
                .isEqualTo(new Rejected(new Rejection.AlreadyExists(new ResourceRef("api_keys.item", "ci-key"), "active")));
        ResourceEvent patched = single(when(state, new ChangeItem(keys, ExpectedVersion.exactly(1), ItemChange.PATCH, "ci-key",
                fields("{\"description\":\"CI\"}"))));
        assertThat(patched.data().path("keys").get(0).path("description").asString()).isEqualTo("CI");
        assertThat(patched.data().path("keys").get(0).path("key_hash").asString()).isEqualTo("sha256:1");
        assertThat(when(state, new ChangeItem(keys, ExpectedVersion.ANY, ItemChange.REMOVE, "other", null)))
                .isEqualTo(new Rejected(new Rejection.NotFound(new ResourceRef("api_keys.item", "other"))));
        assertThat(single(when(state, new ChangeItem(keys, ExpectedVersion.exactly(1), ItemChange.REMOVE, "ci-key", null)))
                .data().path("keys")).isEmpty();
    }

    @Test
    void replacingEveryItem_keepsTheSecretOfAnExistingNameUnlessANewOneIsGiven_andRefusesRepeatedNames() {
        ResourceRef keys = new ResourceRef("api_keys", "current");
        ResourceState state = givenFor(keys, single(when(ResourceState.initial(keys), new ChangeItem(keys, ExpectedVersion.ANY,
                ItemChange.ADD, "ci-key", fields("{\"name\":\"ci-key\",\"key_hash\":\"sha256:old\",\"masked\":\"m-old\"}")))));

        ResourceEvent replaced = single(when(state, new UpdateResource(keys, ExpectedVersion.exactly(1), fields("{\"keys\":["
                + "{\"name\":\"ci-key\",\"key_hash\":\"sha256:proposed\",\"masked\":\"m-p\",\"proposed\":true},"
                + "{\"name\":\"new-key\",\"key_hash\":\"sha256:new\",\"masked\":\"m-new\",\"proposed\":true}]}"), false)));
        assertThat(replaced.data().path("keys").get(0).path("key_hash").asString()).isEqualTo("sha256:old");
        assertThat(replaced.data().path("keys").get(1).path("key_hash").asString()).isEqualTo("sha256:new");
        assertThat(replaced.data().path("keys").get(1).has("proposed")).isFalse();

        Decision repeated = when(state, new UpdateResource(keys, ExpectedVersion.exactly(1), fields("{\"keys\":["
                + "{\"name\":\"a-key\",\"key_hash\":\"h\",\"masked\":\"m\"},{\"name\":\"a-key\",\"key_hash\":\"h\",\"masked\":\"m\"}]}"), false));
        assertThat(((Rejected) repeated).rejection()).isInstanceOf(Rejection.InvalidDocument.class);
    }

    @Test
    void rotatingASealedSecret_keepsThePreviousOneUntilTheOverlapEnds() {
        ResourceRef hook = new ResourceRef("webhook", "hooks");
        ResourceState state = givenFor(hook, single(when(ResourceState.initial(hook), new CreateResource(hook,
                fields("{\"url\":\"https://h.example/x\",\"events\":[\"*\"],\"secret_sealed\":\"v1:old\"}"), "alice"))));

        ResourceEvent rotated = single(when(state, new PatchResource(hook, ExpectedVersion.exactly(1),
                fields("{\"secret_sealed\":\"v1:new\",\"rotation_overlap_seconds\":3600}"), false)));

        assertThat(rotated.data().path("secret_sealed").asString()).isEqualTo("v1:new");
        assertThat(rotated.data().path("previous_secret_sealed").asString()).isEqualTo("v1:old");
        assertThat(rotated.data().path("previous_secret_expires_at").asString()).isEqualTo(NOW.plusSeconds(3600).toString());
        assertThat(rotated.data().has("rotation_overlap_seconds")).isFalse();
        assertThat(rotated.changes().path("secret_sealed").path("to").asString()).isEqualTo("[redacted]");
    }

    // --- fixtures

    private static ResourceState given(ResourceEvent... history) {
        return givenFor(ACME, history);
    }

    private static ResourceState givenFor(ResourceRef resource, ResourceEvent... history) {
        ResourceState state = ResourceState.initial(resource);
        for (ResourceEvent event : history) {
            state = ResourceDecider.evolve(state, event);
        }
        return state;
    }

    private Decision when(ResourceState state, ResourceCommand command) {
        return ResourceDecider.decide(ResourceKinds.byName(command.resource().kind()).orElseThrow(), command, state, references, NOW, "alice");
    }

    private static ResourceEvent single(Decision decision) {
        assertThat(decision).isInstanceOf(Accepted.class);
        List<ResourceEvent> events = ((Accepted) decision).events();
        assertThat(events).hasSize(1);
        return events.getFirst();
    }

    static ResourceEvent aTenantCreated() {
        return single(new ResourceDeciderTest().when(ResourceState.initial(ACME), new CreateResource(ACME, fields("{\"cluster\":\"main\"}"), "alice")));
    }

    static ResourceEvent aTenantDeactivated() {
        return single(new ResourceDeciderTest().when(given(aTenantCreated()),
                new UpdateResource(ACME, ExpectedVersion.ANY, fields("{\"status\":\"inactive\"}"), false)));
    }

    private static ObjectNode fields(String json) {
        return (ObjectNode) Envelopes.MAPPER.readTree(json);
    }
}
