package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Test fixtures for callers: an access policy with given scopes and realms, and a token on it. */
final class Callers {

    /** A token the tests hold: its name (the audit actor is {@code token:<name>}), its policy and its secret. */
    record Token(String name, String policy, String secret) {
        String actor() {
            return "token:" + name;
        }
    }

    private Callers() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A token whose policy grants {@code scopes} on every tenant. */
    static Token token(Api admin, String... scopes) {
        return token(admin, List.of("*"), scopes);
    }

    /** A token whose policy grants {@code scopes} on {@code tenants} only ({@code *} for all). */
    static Token token(Api admin, List<String> tenants, String... scopes) {
        String policy = unique("pol");
        String realms = tenants.stream().map(t -> "{\"tenant\":\"" + t + "\",\"cluster\":\"main\"}").collect(Collectors.joining(","));
        String scopeList = List.of(scopes).stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(","));
        Api.Response created = admin.post("/api/v1/accesspolicies", "{\"name\":\"" + policy + "\",\"realms\":[" + realms
                + "],\"scopes\":[" + scopeList + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return tokenOn(admin, policy);
    }

    static Token tokenOn(Api admin, String policy) {
        String name = unique("tok");
        Api.Response token = admin.post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"access_policy\":\"" + policy + "\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        return new Token(name, policy, token.json().path("token").asString());
    }

    static String tenant(Api admin) {
        String name = unique("ten");
        Api.Response created = admin.post("/api/v1/tenants", "{\"name\":\"" + name + "\",\"cluster\":\"main\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return name;
    }
}
