package dev.controlplane.schemas.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.OpenApi;
import dev.controlplane.schemas.access.AccessRules.Authenticated;
import dev.controlplane.schemas.access.AccessRules.Open;
import dev.controlplane.schemas.access.AccessRules.Rule;
import dev.controlplane.schemas.access.AccessRules.Scoped;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AccessRulesTest {

    private record Operation(String method, String path, JsonNode node) {
        Optional<Rule> rule() {
            return AccessRules.of(method, path);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every operation of the OpenAPI document: paths × methods, without the path-level "parameters". */
    private static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        OpenApi.document().path("paths").properties().forEach(path -> path.getValue().properties().forEach(entry -> {
            if (!entry.getKey().equals("parameters")) {
                operations.add(new Operation(entry.getKey().toUpperCase(), path.getKey(), entry.getValue()));
            }
        }));
        return operations;
    }

    private static Scoped scoped(String method, String path) {
        Optional<Rule> rule = AccessRules.of(method, path);
        assertThat(rule).as(method + " " + path).containsInstanceOf(Scoped.class);
        return (Scoped) rule.orElseThrow();
    }

    // --- the document and the rules agree

    @Test
    void everyOperationOfTheDocument_hasARule() {
        List<Operation> operations = operations();

        assertThat(operations).hasSizeGreaterThan(40);
        assertThat(operations).allSatisfy(operation -> assertThat(operation.rule()).as(operation.toString()).isPresent());
    }

    @Test
    void everyOperationNeedingAToken_saysSoInTheDocument() {
        for (Operation operation : operations()) {
            Rule rule = operation.rule().orElseThrow();
            JsonNode security = operation.node().path("security");
            if (rule instanceof Open) {
                assertThat(security.isArray() && security.size() == 0).as(operation + " is open").isTrue();
                continue;
            }
            assertThat(security.isArray()).as(operation + " has security").isTrue();
            assertThat(security.path(0).has("bearerAuth")).as(operation + " needs a bearer token").isTrue();
            if (rule instanceof Scoped scoped) {
                assertThat(operation.node().path("x-required-scope").asString()).as(operation.toString()).isEqualTo(scoped.scope());
                List<String> grants = new ArrayList<>();
                security.path(0).path("bearerAuth").forEach(grant -> grants.add(grant.asString()));
                assertThat(grants).as(operation.toString()).isEqualTo(scoped.grants());
            } else {
                assertThat(operation.node().has("x-required-scope")).as(operation.toString()).isFalse();
            }
        }
    }

    @Test
    void everyScopeARuleNamesOrAccepts_isOneAPolicyMayGrant() {
        for (Operation operation : operations()) {
            if (operation.rule().orElseThrow() instanceof Scoped scoped) {
                assertThat(Scopes.ALL).as(operation.toString()).containsAll(scoped.grants());
            }
        }
    }

    @Test
    void theCollectionsWithScopes_areTheCollectionsOfTheKinds() {
        Set<String> kinds = ResourceKinds.ALL.stream().map(ResourceKind::collection).collect(Collectors.toSet());

        assertThat(Set.copyOf(Scopes.COLLECTIONS)).isEqualTo(kinds);
    }

    // --- examples

    @Test
    void readingATenant_needsTenantsRead_andAdminReadGrantsIt() {
        Scoped rule = scoped("GET", "/api/v1/tenants/acme");

        assertThat(rule.scope()).isEqualTo("tenants:read");
        assertThat(rule.grantedBy(Set.of("tenants:read"))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN_READ))).isTrue();
        assertThat(rule.grantedBy(Set.of("tenants:write", "clusters:read"))).isFalse();
    }

    @Test
    void creatingATenant_needsTenantsCreate_grantedByTenantsWriteAndAdmin_butNotByAdminRead() {
        Scoped rule = scoped("POST", "/api/v1/tenants");

        assertThat(rule.scope()).isEqualTo("tenants:create");
        assertThat(rule.grantedBy(Set.of("tenants:create"))).isTrue();
        assertThat(rule.grantedBy(Set.of("tenants:write"))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN_READ))).isFalse();
    }

    @Test
    void rotatingAWebhookSecret_needsWebhooksManage_notWebhooksWrite_norAdminRead() {
        Scoped rule = scoped("POST", "/api/v1/webhooks/x/rotate-secret");

        assertThat(rule.scope()).isEqualTo(Scopes.WEBHOOKS_MANAGE);
        assertThat(rule.grantedBy(Set.of(Scopes.WEBHOOKS_MANAGE))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN))).isTrue();
        assertThat(rule.grantedBy(Set.of("webhooks:write"))).isFalse();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN_READ))).isFalse();
    }

    @Test
    void redeliveringAndRecovering_needWebhooksManage() {
        assertThat(scoped("POST", "/api/v1/webhooks/x/deliveries/7/redeliver").scope()).isEqualTo(Scopes.WEBHOOKS_MANAGE);
        assertThat(scoped("POST", "/api/v1/webhooks/x/recover").scope()).isEqualTo(Scopes.WEBHOOKS_MANAGE);
        assertThat(AccessRules.of("GET", "/api/v1/webhooks/x/rotate-secret")).isEmpty();
    }

    @Test
    void theAuditTrail_needsAuditRead_whichAdminReadDoesNotGrant() {
        Scoped rule = scoped("GET", "/api/v1/audit");

        assertThat(rule.scope()).isEqualTo(Scopes.AUDIT_READ);
        assertThat(rule.grantedBy(Set.of(Scopes.AUDIT_READ))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN))).isTrue();
        assertThat(rule.grantedBy(Set.of(Scopes.ADMIN_READ))).isFalse();
    }

    @Test
    void health_isOpen_toGetOnly() {
        assertThat(AccessRules.of("GET", "/health")).contains(new Open());
        assertThat(AccessRules.of("POST", "/health")).isEmpty();
    }

    @Test
    void whoami_needsOnlyAnAuthenticatedCaller() {
        assertThat(AccessRules.of("GET", "/api/v1/whoami")).contains(new Authenticated());
    }

    @Test
    void aPathWithNoRoute_hasNoRule() {
        assertThat(AccessRules.of("GET", "/api/v1/nothing")).isEmpty();
        assertThat(AccessRules.of("GET", "/api/v2/tenants")).isEmpty();
        assertThat(AccessRules.of("DELETE", "/api/v1/tenants")).isEmpty();
        assertThat(AccessRules.of("GET", "/api/v1/tenants/acme/unknown")).isEmpty();
    }

    @Test
    void aTemplateAndARequestPath_haveTheSameRule() {
        for (String method : List.of("GET", "PUT", "PATCH")) {
            assertThat(AccessRules.of(method, "/api/v1/plugins/p1")).as(method).isPresent()
                    .isEqualTo(AccessRules.of(method, "/api/v1/plugins/{name}"));
        }
        assertThat(AccessRules.of("GET", "/api/v1/plugins/p1/history")).isPresent()
                .isEqualTo(AccessRules.of("GET", "/api/v1/plugins/{name}/history"));
    }

    // --- scopes

    @Test
    void admin_coversEveryScope() {
        assertThat(Scopes.ALL).allSatisfy(scope -> assertThat(Scopes.covers(Set.of(Scopes.ADMIN), scope)).as(scope).isTrue());
    }

    @Test
    void adminRead_coversReadScopes_butNotTheAuditTrail_norWrites() {
        Set<String> held = Set.of(Scopes.ADMIN_READ);

        assertThat(Scopes.covers(held, "tenants:read")).isTrue();
        assertThat(Scopes.covers(held, Scopes.AUDIT_READ)).isFalse();
        assertThat(Scopes.covers(held, "tenants:write")).isFalse();
        assertThat(Scopes.covers(held, "tenants:create")).isFalse();
        assertThat(Scopes.covers(held, Scopes.ADMIN)).isFalse();
    }

    @Test
    void aCaller_coversTheScopesItHolds_andNoOthers() {
        Set<String> held = Set.of("tenants:write");

        assertThat(Scopes.covers(held, "tenants:write")).isTrue();
        assertThat(Scopes.covers(held, "tenants:read")).isFalse();
        assertThat(Scopes.covers(held, "clusters:write")).isFalse();
    }

    @Test
    void anAccessPolicy_mayHoldEveryScopeOfThisApi() {
        assertThat(ResourceKinds.SCOPES).containsAll(Scopes.ALL);

        String scopes = Scopes.ALL.stream().sorted().map(scope -> "\"" + scope + "\"").collect(Collectors.joining(","));
        ResourceKind.Validated policy = ResourceKinds.ACCESS_POLICY.validateCreate(Envelopes.MAPPER.readTree(
                "{\"name\":\"everything\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"}],\"scopes\":[" + scopes + "]}"));

        assertThat(policy.errors()).isEmpty();
    }

    @Test
    void head_needsWhatGetNeeds_becauseTheGetHandlersServeIt() {
        assertThat(AccessRules.of("HEAD", "/api/v1/audit")).isEqualTo(AccessRules.of("GET", "/api/v1/audit"));
        assertThat(AccessRules.of("HEAD", "/api/v1/tokens/t1")).isEqualTo(AccessRules.of("GET", "/api/v1/tokens/t1"));
    }

    @Test
    void handingOutScopes_followsTheRouteRules() {
        assertThat(Scopes.covers(java.util.Set.of("tenants:write"), "tenants:create")).isTrue();
        assertThat(Scopes.covers(java.util.Set.of("webhooks:manage"), "webhooks:read")).isTrue();
        assertThat(Scopes.covers(java.util.Set.of(Scopes.ADMIN_READ), Scopes.METRICS_READ)).isFalse();
        assertThat(Scopes.covers(java.util.Set.of(Scopes.ADMIN_READ), "alerts:read")).isFalse();
    }
}
