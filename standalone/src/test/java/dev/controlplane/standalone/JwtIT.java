package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/** A JWT from the trusted identity provider authenticates as the active user it names, and any other JWT is a bare 401. */
class JwtIT {

    private static final List<String> ROLE_SCOPES = List.of("tenants:read", "tenants:write", "tenants:create");

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);
    private final JwtIssuer idp = TestSystem.JWT;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An active user holding one role with {@link #ROLE_SCOPES}; returns its username. */
    private String activeUser() {
        String role = unique("role");
        String user = unique("user");
        Api.Response createdRole = api.post("/api/v1/roles", "{\"name\":\"" + role + "\",\"scopes\":[\""
                + String.join("\",\"", ROLE_SCOPES) + "\"]}");
        assertThat(createdRole.status()).as(createdRole.body()).isEqualTo(201);
        Api.Response createdUser = api.post("/api/v1/users", "{\"username\":\"" + user + "\",\"email\":\"" + user
                + "@example.com\",\"roles\":[\"" + role + "\"]}");
        assertThat(createdUser.status()).as(createdUser.body()).isEqualTo(201);
        return user;
    }

    private Api as(String jwt) {
        return api.withToken(jwt);
    }

    private static List<String> scopes(Api.Response whoami) {
        List<String> scopes = new ArrayList<>();
        whoami.json().path("scopes").forEach(scope -> scopes.add(scope.asString()));
        return scopes;
    }

    @Test
    void aJwtOfAnActiveUser_authenticatesAsThatUser_withItsRolesScopes() {
        String user = activeUser();
        String jwt = idp.sign(idp.claims(user).build());

        assertThat(as(jwt).get("/api/v1/tenants").status()).isEqualTo(200);
        Api.Response whoami = as(jwt).get("/api/v1/whoami");
        assertThat(whoami.status()).as(whoami.body()).isEqualTo(200);
        JsonNode caller = whoami.json();
        assertThat(caller.path("kind").asString()).isEqualTo("user");
        assertThat(caller.path("identity").asString()).isEqualTo("user:" + user);
        assertThat(caller.path("name").asString()).isEqualTo(user);
        assertThat(scopes(whoami)).containsExactlyInAnyOrderElementsOf(ROLE_SCOPES);
        assertThat(caller.path("expires_at").asString("")).as("a JWT caller expires with its JWT").isNotBlank();
    }

    @Test
    void aJwtOfAnActiveUser_getsItsRolesScopes_narrowedByItsScopeClaim() {
        String user = activeUser();
        String readOnly = idp.signWith(claims -> claims.claim("scope", "tenants:read"), user);

        assertThat(scopes(as(readOnly).get("/api/v1/whoami"))).containsExactly("tenants:read");
        assertThat(as(readOnly).get("/api/v1/tenants").status()).isEqualTo(200);
        Api.Response refused = as(readOnly).post("/api/v1/tenants", "{\"name\":\"" + unique("jt") + "\",\"cluster\":\"main\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().path("detail").asString()).contains("tenants:create");

        String listed = idp.signWith(claims -> claims.claim("scp", List.of("tenants:read", "tenants:create")), user);
        assertThat(scopes(as(listed).get("/api/v1/whoami"))).as("an scp claim, as a list")
                .containsExactlyInAnyOrder("tenants:read", "tenants:create");
    }

    @Test
    void aScopeClaim_neverGrantsAScopeTheRolesLack() {
        String user = activeUser();
        String greedy = idp.signWith(claims -> claims.claim("scope", "tenants:read admin audit:read"), user);

        Api.Response whoami = as(greedy).get("/api/v1/whoami");
        assertThat(whoami.status()).as(whoami.body()).isEqualTo(200);
        assertThat(scopes(whoami)).containsExactly("tenants:read").doesNotContain("admin", "audit:read");
        assertThat(as(greedy).get("/api/v1/audit").status()).isEqualTo(403);
    }

    @Test
    void aWriteWithAJwt_isAuditedWithTheUserAsItsActor() {
        String user = activeUser();
        String jwt = idp.sign(idp.claims(user).build());
        String tenant = unique("jt");

        Api.Response created = as(jwt).post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("created_by").asString()).isEqualTo("user:" + user);

        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/audit?resource=tenant/" + tenant).json().path("items").size() == 1);
        JsonNode record = api.get("/api/v1/audit?resource=tenant/" + tenant).json().path("items").get(0);
        assertThat(record.path("actor").asString()).isEqualTo("user:" + user);
        assertThat(record.path("action").asString()).isEqualTo("tenant.create");
    }

    /** One JWT the API must refuse, and what is wrong with it. */
    private record BadJwt(String name, String token) {
    }

    @Test
    void everyBadJwt_isRefusedWith401_asAProblemThatShowsNoInternals() {
        String user = activeUser();
        assertThat(as(idp.sign(idp.claims(user).build())).get("/api/v1/whoami").status())
                .as("a well-formed JWT of this user is accepted, so each refusal below is for its one defect").isEqualTo(200);
        String inactive = deactivatedUser();
        Instant now = Instant.now();
        String oversized = idp.signWith(claims -> claims.claim("padding", "x".repeat(20_000)), user);
        assertThat(oversized.length()).isGreaterThan(8 * 1024);

        List<BadJwt> corpus = List.of(
                new BadJwt("alg none", idp.unsigned(user)),
                new BadJwt("HS256 keyed with the public key", idp.hmacWithThePublicKey(user)),
                new BadJwt("wrong issuer", idp.signWith(claims -> claims.issuer("https://stranger.example"), user)),
                new BadJwt("wrong audience", idp.signWith(claims -> claims.audience("another-api"), user)),
                new BadJwt("expired an hour ago", idp.signWith(claims -> claims.issueTime(Date.from(now.minusSeconds(7200)))
                        .notBeforeTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600))), user)),
                new BadJwt("valid only in an hour", idp.signWith(claims -> claims.notBeforeTime(Date.from(now.plusSeconds(3600)))
                        .expirationTime(Date.from(now.plusSeconds(7200))), user)),
                new BadJwt("unknown kid", idp.withUnknownKid(user)),
                new BadJwt("signed by a stranger under the published kid", idp.signedByAStranger(user)),
                new BadJwt("garbage not.a.jwt", "not.a.jwt"),
                new BadJwt("garbage a.b.c", "a.b.c"),
                new BadJwt("oversized (" + oversized.length() + " characters)", oversized),
                new BadJwt("subject is no user", idp.sign(idp.claims(unique("nobody")).build())),
                new BadJwt("subject is a deactivated user", idp.sign(idp.claims(inactive).build())));

        SoftAssertions.assertSoftly(softly -> {
            for (BadJwt bad : corpus) {
                Api.Response answer = as(bad.token()).get("/api/v1/whoami");
                String detail = problem(answer).path("detail").asString("");
                softly.assertThat(answer.status()).as("%s: status (%s)", bad.name(), answer.body()).isEqualTo(401);
                softly.assertThat(answer.header("Content-Type")).as("%s: content type", bad.name())
                        .startsWith("application/problem+json");
                softly.assertThat(answer.header("WWW-Authenticate")).as("%s: WWW-Authenticate", bad.name()).startsWith("Bearer");
                softly.assertThat(problem(answer).path("status").asInt(0)).as("%s: problem status", bad.name()).isEqualTo(401);
                for (String leak : List.of("Exception", "\tat ", "at org.")) {
                    softly.assertThat(answer.body()).as("%s: body", bad.name()).doesNotContain(leak);
                    softly.assertThat(detail).as("%s: detail", bad.name()).doesNotContain(leak);
                }
            }
        });
    }

    /** A user that existed and was deactivated, once the API refuses it (deactivation reaches auth through the log). */
    private String deactivatedUser() {
        String user = activeUser();
        assertThat(api.put("/api/v1/users/" + user, "{\"status\":\"inactive\"}", "If-Match", "*").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                as(idp.sign(idp.claims(user).build())).get("/api/v1/whoami").status() == 401);
        return user;
    }

    private static JsonNode problem(Api.Response answer) {
        try {
            return answer.json();
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }
}
