package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.AuthSettings;
import dev.controlplane.httpsupport.CallerIdentity;
import dev.controlplane.httpsupport.TokenSecrets;
import dev.controlplane.schemas.access.Scopes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * Turns a bearer token into a caller. Three kinds, told apart by their form: the API's own tokens ({@code cpat_…},
 * checked offline by their checksum, then looked up by the hash of the secret in the {@link CallerDirectory}); the
 * bootstrap and metrics tokens (compared as digests, in constant time); and JWTs from an identity provider,
 * verified by Spring Security's resource server (Nimbus), whose subject is a user of this API.
 */
final class BearerAuthentication implements AuthenticationManager {

    /** Longer than any token this API or a sane identity provider issues: refused before any parsing. */
    static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private final CallerDirectory directory;
    private final byte[] bootstrapDigest;
    private final byte[] metricsDigest;
    private final JwtAuthenticationProvider jwt;

    BearerAuthentication(CallerDirectory directory, AuthSettings auth, String metricsToken, JwtDecoder jwtDecoder) {
        this.directory = directory;
        this.bootstrapDigest = auth.bootstrapEnabled() ? sha256(auth.token()) : null;
        this.metricsDigest = metricsToken == null || metricsToken.isBlank() ? null : sha256(metricsToken);
        if (jwtDecoder != null) {
            this.jwt = new JwtAuthenticationProvider(jwtDecoder);
            this.jwt.setJwtAuthenticationConverter(this::user);
        } else {
            this.jwt = null;
        }
    }

    /** True when some way to authenticate is configured; without one the admin API is disabled. */
    boolean enabled() {
        return bootstrapDigest != null || jwt != null;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new CallerRefusedException("the bearer token is too long", "anonymous");
        }
        if (token.startsWith(TokenSecrets.TOKEN_PREFIX)) {
            return apiToken(token);
        }
        byte[] digest = sha256(token);
        if (bootstrapDigest != null && MessageDigest.isEqual(bootstrapDigest, digest)) {
            return new CallerAuthentication(new CallerIdentity("bootstrap", "admin", Set.of(Scopes.ADMIN), Set.of(CallerIdentity.ALL_TENANTS), null, null));
        }
        if (metricsDigest != null && MessageDigest.isEqual(metricsDigest, digest)) {
            return new CallerAuthentication(new CallerIdentity("metrics", "metrics", Set.of(Scopes.METRICS_READ), Set.of(), null, null));
        }
        if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
            try {
                return jwt.authenticate(authentication);
            } catch (AuthenticationServiceException e) {
                // The identity provider's key set could not be fetched: not the caller's fault, so 503, not 500.
                throw new CallerDirectory.DirectoryNotCurrentException("the identity provider's keys are unavailable: " + e.getMessage());
            }
        }
        throw new CallerRefusedException("the bearer token is not valid", "anonymous");
    }

    private Authentication apiToken(String token) {
        if (!TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, token)) {
            throw new CallerRefusedException("the token is malformed (its checksum does not match)", "anonymous");
        }
        return switch (directory.token(TokenSecrets.hash(token), Instant.now())) {
            case CallerDirectory.TokenLookup.Found found -> new CallerAuthentication(found.caller());
            case CallerDirectory.TokenLookup.Refused refused -> throw new CallerRefusedException(refused.reason(), "token:" + refused.tokenName());
            case CallerDirectory.TokenLookup.Unknown unknown -> throw new CallerRefusedException("no such token", "anonymous");
        };
    }

    /**
     * A JWT's caller: the user its subject names, with the scopes of that user's active roles, narrowed by the
     * token's {@code scope}/{@code scp} claim when it has one. Users are not bound to tenants.
     */
    private CallerAuthentication user(Jwt token) {
        String subject = token.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new CallerRefusedException("the JWT has no subject", "anonymous");
        }
        Set<String> granted = directory.userScopes(subject, Instant.now())
                .orElseThrow(() -> new CallerRefusedException("the JWT's subject is not an active user", "user:" + subject));
        Set<String> claimed = claimedScopes(token);
        Set<String> scopes = claimed == null ? granted : narrow(granted, claimed);
        return new CallerAuthentication(new CallerIdentity("user", subject, Set.copyOf(scopes), Set.of(CallerIdentity.ALL_TENANTS),
                token.getExpiresAt(), null));
    }

    private static Set<String> claimedScopes(Jwt token) {
        Object claim = token.getClaims().containsKey("scope") ? token.getClaims().get("scope") : token.getClaims().get("scp");
        if (claim == null) {
            return null;
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (claim instanceof String text) {
            for (String scope : text.trim().split("\\s+")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        } else if (claim instanceof List<?> list) {
            list.forEach(item -> scopes.add(String.valueOf(item)));
        }
        return scopes;
    }

    /** The claimed scopes that the roles grant ({@link Scopes#covers}): a claim never adds a scope. */
    static Set<String> narrow(Set<String> granted, Set<String> claimed) {
        Set<String> kept = new LinkedHashSet<>();
        for (String scope : claimed) {
            if (Scopes.covers(granted, scope)) {
                kept.add(scope);
            }
        }
        return kept;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
