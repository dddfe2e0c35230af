package dev.controlplane.schemas.access;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call what: the rule of every route, by method and path, next to the route table the OpenAPI document
 * is built from ({@link dev.controlplane.schemas.OpenApi} writes each operation's rule into the document and fails
 * for an operation without one). The same function answers for a path template ({@code /api/v1/tenants/{name}})
 * and for a request's path ({@code /api/v1/tenants/acme}), so the document and the running API cannot disagree.
 */
public final class AccessRules {

    /** What a route needs. */
    public sealed interface Rule {
    }

    /** No token at all: health. */
    public record Open() implements Rule {
    }

    /** Any authenticated caller. */
    public record Authenticated() implements Rule {
    }

    /** {@code scope}, or any one of {@code alternatives} (which always include {@code admin}). */
    public record Scoped(String scope, Set<String> alternatives) implements Rule {

        public boolean grantedBy(Set<String> scopes) {
            return scopes.contains(scope) || alternatives.stream().anyMatch(scopes::contains);
        }

        /** Every scope that grants this route, the needed one first. */
        public List<String> grants() {
            List<String> all = new ArrayList<>();
            all.add(scope);
            alternatives.stream().sorted().forEach(all::add);
            return all;
        }
    }

    /** Kinds whose resources belong to tenants: a caller bound to some tenants sees only theirs. */
    public static final Set<String> TENANT_BOUND_KINDS = Set.of("tenant", "access_policy", "token");

    private static final String API = "/api/v1/";

    private AccessRules() {
    }

    /** The rule of {@code method} on {@code path} (a template or a request path); empty when no route is there. */
    public static Optional<Rule> of(String requestMethod, String path) {
        // HEAD is served by the GET handlers, so it needs what GET needs.
        String method = requestMethod.equals("HEAD") ? "GET" : requestMethod;
        if (path.equals("/health") || path.equals("/health/liveness") || path.equals("/health/readiness")) {
            return method.equals("GET") ? Optional.of(new Open()) : Optional.empty();
        }
        if (path.equals("/metrics")) {
            return method.equals("GET") ? Optional.of(scoped(Scopes.METRICS_READ)) : Optional.empty();
        }
        if (!path.startsWith(API)) {
            return Optional.empty();
        }
        String[] segments = path.substring(API.length()).split("/", -1);
        String first = segments[0].equals("config.yaml") ? "config" : segments[0];
        boolean get = method.equals("GET");
        if (segments.length == 1) {
            switch (first) {
                case "whoami", "features", "openapi.json" -> {
                    return get ? Optional.of(new Authenticated()) : Optional.empty();
                }
                case "status" -> {
                    return get ? Optional.of(scoped(Scopes.ADMIN_READ)) : Optional.empty();
                }
                case "audit" -> {
                    return get ? Optional.of(scoped(Scopes.AUDIT_READ)) : Optional.empty();
                }
                default -> {
                }
            }
        }
        if (first.equals("rebuilds") && segments.length == 2) {
            return method.equals("POST") || get ? Optional.of(scoped(Scopes.ADMIN)) : Optional.empty();
        }
        if (first.equals("commands") && segments.length == 2) {
            // The outcome shows the resource: the controller also checks that the caller may read its kind.
            return get ? Optional.of(new Authenticated()) : Optional.empty();
        }
        if (!Scopes.COLLECTIONS.contains(first)) {
            return Optional.empty();
        }
        return collection(first, method, segments);
    }

    private static Optional<Rule> collection(String collection, String method, String[] segments) {
        boolean get = method.equals("GET");
        boolean document = collection.equals("config") || collection.equals("api-keys");
        switch (segments.length) {
            case 1 -> {
                return switch (method) {
                    case "GET" -> Optional.of(read(collection));
                    case "POST" -> document && collection.equals("config") ? Optional.empty() : Optional.of(create(collection));
                    case "PUT", "PATCH" -> document ? Optional.of(write(collection)) : Optional.empty();
                    default -> Optional.empty();
                };
            }
            case 2 -> {
                if (document && segments[1].equals("history")) {
                    return get ? Optional.of(read(collection)) : Optional.empty();
                }
                return switch (method) {
                    case "GET" -> Optional.of(read(collection));
                    case "PUT", "PATCH", "DELETE" -> Optional.of(write(collection));
                    default -> Optional.empty();
                };
            }
            case 3 -> {
                String action = segments[2];
                if (action.equals("history")) {
                    return get ? Optional.of(read(collection)) : Optional.empty();
                }
                if (collection.equals("webhooks")) {
                    return switch (action) {
                        case "deliveries" -> get ? Optional.of(read(collection)) : Optional.empty();
                        case "rotate-secret", "recover" -> method.equals("POST") ? Optional.of(scoped(Scopes.WEBHOOKS_MANAGE)) : Optional.empty();
                        default -> Optional.empty();
                    };
                }
                return Optional.empty();
            }
            case 5 -> {
                boolean redeliver = collection.equals("webhooks") && segments[2].equals("deliveries") && segments[4].equals("redeliver");
                return redeliver && method.equals("POST") ? Optional.of(scoped(Scopes.WEBHOOKS_MANAGE)) : Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** Reading a collection: its read scope, {@code admin:read}, or its manage scope. */
    public static Scoped read(String collection) {
        return scoped(Scopes.read(collection), Scopes.ADMIN_READ, Scopes.manage(collection));
    }

    /** Creating in a collection: its create scope, its write scope, or its manage scope. */
    public static Scoped create(String collection) {
        return scoped(Scopes.create(collection), Scopes.write(collection), Scopes.manage(collection));
    }

    /** Changing a collection's resources (soft delete included): its write scope or its manage scope. */
    public static Scoped write(String collection) {
        return scoped(Scopes.write(collection), Scopes.manage(collection));
    }

    private static Scoped scoped(String scope, String... alternatives) {
        Set<String> all = new LinkedHashSet<>();
        if (!scope.equals(Scopes.ADMIN)) {
            all.add(Scopes.ADMIN);
        }
        for (String alternative : alternatives) {
            if (alternative != null && !alternative.equals(scope)) {
                all.add(alternative);
            }
        }
        return new Scoped(scope, Set.copyOf(all));
    }
}
