package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.OpenApi;
import dev.controlplane.schemas.access.AccessRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The authorization matrix: every operation of the OpenAPI document, called by a caller holding exactly the scope
 * its rule needs, by one holding an unrelated scope, by a read-only caller, by nobody, and (for resources that
 * belong to tenants) by a caller bound to another tenant. The expected answer of each comes from the route rules
 * ({@link AccessRules}), the table the document is built from: an operation added without a rule fails to build
 * the document, and one whose rule the running API does not apply fails here.
 *
 * <p>Bodies are empty objects and no If-Match is sent, so an allowed call is refused for its input (400, 404,
 * 405, 428), never carried out: what is checked is only whether the caller got past authorization.
 */
class AuthorizationMatrixIT {

    private static final Set<String> TENANT_BOUND_COLLECTIONS = Set.of("tenants", "accesspolicies", "tokens");

    private final Standalone system = TestSystem.shared();
    private final Api admin = Api.of(system);
    private final Map<String, Callers.Token> byScope = new HashMap<>();

    private record Case(String method, String path, String caller, String expected, int got) {
        @Override
        public String toString() {
            return method + " " + path + " as " + caller + ": expected " + expected + ", got " + got;
        }
    }

    @Test
    void everyOperation_answersEachCallerAsItsRuleSays() {
        String home = Callers.tenant(admin);
        String foreign = Callers.tenant(admin);
        Callers.Token foreignToken = Callers.token(admin, List.of(foreign), "tenants:read");
        Callers.Token bound = Callers.token(admin, List.of(home), "tenants:read", "tenants:write", "accesspolicies:read",
                "accesspolicies:write", "tokens:read", "tokens:write");
        Callers.Token reader = Callers.token(admin, "admin:read");
        Map<String, String> foreignNames = Map.of("tenants", foreign, "accesspolicies", foreignToken.policy(), "tokens", foreignToken.name());

        JsonNode document = OpenApi.document();
        List<Case> wrong = new ArrayList<>();
        int checked = 0;
        for (var path : document.path("paths").properties()) {
            for (var entry : path.getValue().properties()) {
                if (entry.getKey().equals("parameters")) {
                    continue;
                }
                String method = entry.getKey().toUpperCase();
                String template = path.getKey();
                String concrete = template.replace("{name}", "matrix-" + UUID.randomUUID().toString().substring(0, 6))
                        .replace("{id}", "1").replace("{store}", "no-such-store");
                AccessRules.Rule rule = AccessRules.of(method, template).orElseThrow();
                if (template.equals("/metrics")) {
                    // No metrics token is configured in the shared system: /metrics is open (MetricsIT covers the other case).
                    expect(wrong, method, concrete, "nobody", null, "2xx", status -> status == 200);
                    checked++;
                    continue;
                }
                switch (rule) {
                    case AccessRules.Open open -> expect(wrong, method, concrete, "nobody", null, "not 401/403", AuthorizationMatrixIT::passed);
                    case AccessRules.Authenticated authenticated -> {
                        expect(wrong, method, concrete, "nobody", null, "401", status -> status == 401);
                        expect(wrong, method, concrete, "a caller with an unrelated scope", token("clusters:read").secret(),
                                "not 401/403", AuthorizationMatrixIT::passed);
                    }
                    case AccessRules.Scoped scoped -> {
                        assertThat(entry.getValue().path("x-required-scope").asString()).as(method + " " + template).isEqualTo(scoped.scope());
                        expect(wrong, method, concrete, "nobody", null, "401", status -> status == 401);
                        expect(wrong, method, concrete, scoped.scope(), token(scoped.scope()).secret(), "not 401/403",
                                AuthorizationMatrixIT::passed);
                        String unrelated = scoped.grants().contains("licenses:read") ? "clusters:read" : "licenses:read";
                        expect(wrong, method, concrete, unrelated, token(unrelated).secret(), "403", status -> status == 403);
                        boolean readerMay = scoped.grantedBy(Set.of("admin:read"));
                        expect(wrong, method, concrete, "admin:read", reader.secret(), readerMay ? "not 401/403" : "403",
                                status -> readerMay ? passed(status) : status == 403);
                    }
                }
                String collection = template.split("/").length > 3 ? template.split("/")[3] : "";
                if (TENANT_BOUND_COLLECTIONS.contains(collection) && template.contains("{name}") && !method.equals("POST")) {
                    String foreignPath = template.replace("{name}", foreignNames.get(collection));
                    expect(wrong, method, foreignPath, "a caller bound to another tenant", bound.secret(), "404", status -> status == 404);
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(operations(document));
        assertThat(wrong).isEmpty();
    }

    private static boolean passed(int status) {
        return status != 401 && status != 403;
    }

    private void expect(List<Case> wrong, String method, String path, String caller, String token, String expected,
                        java.util.function.IntPredicate check) {
        boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        int status = admin.withToken(token).send(method, path, body ? "{}" : null).status();
        if (!check.test(status)) {
            wrong.add(new Case(method, path, caller, expected, status));
        }
    }

    private Callers.Token token(String scope) {
        return byScope.computeIfAbsent(scope, s -> Callers.token(admin, s));
    }

    private static int operations(JsonNode document) {
        int count = 0;
        for (var path : document.path("paths").properties()) {
            for (String key : path.getValue().propertyNames()) {
                if (!key.equals("parameters")) {
                    count++;
                }
            }
        }
        return count;
    }
}
