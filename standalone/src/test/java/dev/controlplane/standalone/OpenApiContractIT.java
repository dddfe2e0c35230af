package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.OpenApi;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document served at /api/v1/openapi.json is the one kept in the repository, and it lacks nothing the
 * running API has: every endpoint and method Spring maps, every query parameter and header they read (by annotation
 * or not), every status code any test in this JVM received (this test provokes the less common ones itself), and
 * the media type and schema of every body exchanged ({@link Contract}, checked by {@link Api} on every exchange).
 */
class OpenApiContractIT {

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @Test
    void theServedDocument_isTheOneInTheRepository() {
        Api.Response served = api.get("/api/v1/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(OpenApi.render());
    }

    @Test
    void everyMappedEndpointMethodAndParameter_isDocumented() {
        JsonNode document = OpenApi.document();
        RequestMappingHandlerMapping mapping = system.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (var entry : mapping.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod handler = entry.getValue();
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/") && !pattern.equals("/health")) {
                    continue;
                }
                for (String path : expand(pattern)) {
                    for (RequestMethod method : info.getMethodsCondition().getMethods()) {
                        checked++;
                        JsonNode operation = document.path("paths").path(path).path(method.name().toLowerCase());
                        if (operation.isMissingNode()) {
                            missing.add(method + " " + path);
                            continue;
                        }
                        boolean alwaysRefused = operation.path("responses").has("405") && !operation.path("responses").has("200");
                        if (!alwaysRefused) {
                            for (String parameter : parameters(handler)) {
                                if (!documented(document, path, operation, parameter)) {
                                    missing.add(method + " " + path + " parameter " + parameter);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(50);
        assertThat(missing).isEmpty();
    }

    @Test
    void everyStatusCodeTheApiAnswered_isDocumentedForItsOperation() {
        provokeTheLessCommonAnswers();
        JsonNode document = OpenApi.document();
        Set<String> undocumented = new TreeSet<>();
        for (Api.Exchange exchange : Api.EXCHANGES) {
            List<JsonNode> operations = new ArrayList<>();
            document.path("paths").properties().forEach(path -> {
                if (Contract.template(path.getKey()).matcher(exchange.path()).matches()) {
                    JsonNode operation = path.getValue().path(exchange.method().toLowerCase());
                    if (!operation.isMissingNode()) {
                        operations.add(operation);
                    }
                }
            });
            if (operations.isEmpty()) {
                if (exchange.status() != 404 && exchange.status() != 401) {
                    undocumented.add(exchange.method() + " " + exchange.path() + " (no such operation) -> " + exchange.status());
                }
                continue;
            }
            boolean documented = operations.stream().anyMatch(op -> op.path("responses").has(String.valueOf(exchange.status())));
            if (!documented) {
                undocumented.add(exchange.method() + " " + exchange.path() + " -> " + exchange.status());
            }
        }
        assertThat(undocumented).isEmpty();
    }

    /**
     * Headers read without a Spring annotation ({@code X-Request-Id} by the request log, {@code Idempotency-Key} by
     * the command gateway) are documented too. Standard HTTP headers are the protocol's, not the API's.
     */
    @Test
    void everyHeaderTheCodeReads_isDocumentedForItsOperation() {
        provokeTheLessCommonAnswers();
        Set<String> protocol = Set.of("authorization", "accept", "accept-encoding", "accept-language", "content-type",
                "content-length", "content-encoding", "host", "connection", "user-agent", "transfer-encoding", "expect",
                "upgrade", "origin", "cookie", "te", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                "x-forwarded-port", "x-forwarded-prefix", "access-control-request-method", "access-control-request-headers");
        JsonNode document = OpenApi.document();
        Set<String> undocumented = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        HeaderReads.READ.forEach((request, headers) -> {
            String method = request.substring(0, request.indexOf(' '));
            String path = request.substring(request.indexOf(' ') + 1);
            Contract.operation(method, path).ifPresent(operation -> {
                // The framework reads conditional headers on every GET; they mean something only where there is an ETag.
                boolean conditional = operation.node().path("responses").path("200").path("headers").has("ETag");
                for (String header : headers) {
                    boolean noEffect = !conditional && (header.equals("if-none-match") || header.equals("if-modified-since"));
                    if (!protocol.contains(header) && !noEffect) {
                        seen.add(header);
                        if (!documented(document, operation.template(), operation.node(), "header:" + header)) {
                            undocumented.add(operation.id() + " reads " + header);
                        }
                    }
                }
            });
        });
        assertThat(seen).contains("x-request-id", "idempotency-key", "if-match");
        assertThat(undocumented).isEmpty();
    }

    /** The bodies of the exchanges above were checked against the document, and the check can fail. */
    @Test
    void everyBodyExchanged_validatesAgainstItsOperationsSchema_andADifferentOneIsCaught() {
        provokeTheLessCommonAnswers();
        String name = "contract-b-" + UUID.randomUUID().toString().substring(0, 8);
        expect(201, api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}"));
        expect(200, api.patch("/api/v1/tenants/" + name, "{\"display_name\":\"B\"}", "If-Match", "\"1\"",
                "Content-Type", "application/merge-patch+json"));
        expect(200, api.get("/api/v1/tenants/" + name + "/history"));
        expect(200, api.get("/api/v1/audit?limit=5"));
        expect(200, api.get("/api/v1/config"));
        expect(200, api.get("/api/v1/whoami"));

        assertThat(Contract.CHECKED).contains("createTenant request application/json", "createTenant 201 application/json",
                "patchTenant request application/merge-patch+json", "patchTenant 200 application/json",
                "updateTenant 412 application/problem+json", "listTenants 200 application/json", "queryAudit 200 application/json",
                "getTenantHistory 200 application/json", "whoami 200 application/json");
        assertThat(Contract.violations("GET", "/api/v1/tenants/" + name, null, null, 200, "application/json",
                "{\"name\":7,\"cluster\":\"main\"}")).isNotEmpty();
        assertThat(Contract.violations("POST", "/api/v1/tenants", "text/csv", "name,cluster", 201, "application/json", "{}"))
                .anyMatch(violation -> violation.contains("lists only"));
    }

    /**
     * Answers the everyday tests rarely see: 401, 405, 409, 412, 422, 428, bad parameters. Each is asserted, so the
     * statuses checked above include these whatever other classes ran in this JVM.
     */
    private void provokeTheLessCommonAnswers() {
        String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        expect(401, api.withToken("wrong").get("/api/v1/tenants"));
        expect(200, api.send("GET", "/api/v1/tenants?limit=1", null, "X-Request-Id", "contract-check-1"));
        expect(401, api.withToken(null).post("/api/v1/tenants", "{}"));
        expect(201, api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}"));
        expect(409, api.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}"));
        expect(422, api.post("/api/v1/tenants", "{\"name\":\"" + name + "-x\",\"cluster\":\"nowhere\"}"));
        expect(428, api.put("/api/v1/tenants/" + name, "{\"display_name\":\"x\"}"));
        expect(412, api.put("/api/v1/tenants/" + name, "{\"display_name\":\"x\"}", "If-Match", "\"9\""));
        expect(400, api.patch("/api/v1/tenants/" + name, "{\"cluster\":null}", "If-Match", "*"));
        expect(405, api.patch("/api/v1/clusters/main", "{\"display_name\":\"x\"}", "If-Match", "*"));
        expect(400, api.get("/api/v1/tenants?limit=0"));
        expect(400, api.get("/api/v1/tenants/" + name + "/history?order=sideways"));
        expect(400, api.get("/api/v1/audit?since=yesterday"));
        expect(404, api.get("/api/v1/commands/" + UUID.randomUUID()));
        expect(304, api.send("GET", "/api/v1/tenants/" + name, null, "If-None-Match", "\"1\""));
        expect(200, api.get("/api/v1/features"));
        expect(200, api.get("/api/v1/status"));
        expect(200, api.get("/health"));
    }

    private static void expect(int status, Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
    }

    private static List<String> expand(String pattern) {
        if (!pattern.contains("{collection}")) {
            return List.of(pattern);
        }
        List<String> paths = new ArrayList<>();
        for (ResourceKind kind : ResourceKinds.ALL) {
            if (!kind.isSingleton()) {
                paths.add(pattern.replace("{collection}", kind.collection()));
            }
        }
        return paths;
    }

    /** The names of the query parameters and headers a handler reads. */
    private static List<String> parameters(HandlerMethod handler) {
        List<String> names = new ArrayList<>();
        for (Parameter parameter : handler.getMethod().getParameters()) {
            RequestParam query = parameter.getAnnotation(RequestParam.class);
            RequestHeader header = parameter.getAnnotation(RequestHeader.class);
            PathVariable path = parameter.getAnnotation(PathVariable.class);
            if (query != null) {
                names.add("query:" + (query.name().isEmpty() ? query.value().isEmpty() ? parameter.getName() : query.value() : query.name()));
            } else if (header != null) {
                names.add("header:" + (header.value().isEmpty() ? header.name() : header.value()));
            } else if (path != null) {
                String variable = path.value().isEmpty() ? path.name().isEmpty() ? parameter.getName() : path.name() : path.value();
                if (!variable.equals("collection")) {
                    names.add("path:" + variable);
                }
            }
        }
        return names;
    }

    private static boolean documented(JsonNode document, String path, JsonNode operation, String parameter) {
        String in = parameter.substring(0, parameter.indexOf(':'));
        String name = parameter.substring(parameter.indexOf(':') + 1);
        List<JsonNode> all = new ArrayList<>();
        operation.path("parameters").forEach(all::add);
        document.path("paths").path(path).path("parameters").forEach(all::add);
        return all.stream().map(Contract::resolve)
                .anyMatch(p -> p.path("in").asString().equals(in) && p.path("name").asString().equalsIgnoreCase(name));
    }
}
