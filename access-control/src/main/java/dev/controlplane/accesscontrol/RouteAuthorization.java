package dev.controlplane.accesscontrol;

import dev.controlplane.schemas.access.AccessRules;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Decides every request by the rule {@link AccessRules} gives its method and its path as Spring MVC matches it
 * (decoded and normalized, so {@code /api/v1/%61udit} is {@code /api/v1/audit}): the same rule the OpenAPI
 * document shows. A request without a rule (no such route) needs {@code admin}. The rule of a denied request is
 * left on the request for the 403 to name.
 */
final class RouteAuthorization implements AuthorizationManager<RequestAuthorizationContext> {

    static final String DENIED_RULE = RouteAuthorization.class.getName() + ".rule";
    private static final AccessRules.Rule NO_ROUTE = new AccessRules.Scoped(dev.controlplane.schemas.access.Scopes.ADMIN, java.util.Set.of());

    private final boolean metricsOpen;

    /** @param metricsOpen true when no metrics token is configured: then {@code /metrics} needs no token */
    RouteAuthorization(boolean metricsOpen) {
        this.metricsOpen = metricsOpen;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        HttpServletRequest request = context.getRequest();
        String path = AccessFilters.path(request);
        if (metricsOpen && path.equals("/metrics")) {
            return new AuthorizationDecision(true);
        }
        // No rule means no such route: only admin passes (and gets the 404 or 405 Spring answers).
        AccessRules.Rule rule = AccessRules.of(request.getMethod(), path).orElse(NO_ROUTE);
        if (rule instanceof AccessRules.Open) {
            return new AuthorizationDecision(true);
        }
        if (!(authentication.get() instanceof CallerAuthentication caller)) {
            return new AuthorizationDecision(false);
        }
        boolean granted = switch (rule) {
            case AccessRules.Open open -> true;
            case AccessRules.Authenticated authenticated -> true;
            case AccessRules.Scoped scoped -> scoped.grantedBy(caller.caller().scopes());
        };
        if (!granted) {
            request.setAttribute(DENIED_RULE, rule);
        }
        return new AuthorizationDecision(granted);
    }
}
