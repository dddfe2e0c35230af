package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Problem;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a license: a signed JWT (JWS compact form, {@code EdDSA} or {@code RS256}) whose claims are GEM's
 * ({@code jti iss sub iat exp nbf lexp lid max_users included_admins included_viewers lic_exp_warn_days prod
 * company slug}). A license that is malformed, not yet valid, expired, or (with an issuer key) not signed by the
 * issuer is refused with a problem document saying which.
 */
final class LicenseDocuments {

    /** What a license says, its fingerprint, and whether its signature was checked. */
    record License(ObjectNode claims, String sha256, boolean verified) {
    }

    private static final Map<String, String> ALGORITHMS = Map.of("EdDSA", "Ed25519", "RS256", "SHA256withRSA");
    private static final List<String> NUMERIC = List.of("iat", "exp", "nbf", "lexp", "max_users", "included_admins",
            "included_viewers", "lic_exp_warn_days");

    private final PublicKey issuerKey;

    LicenseDocuments(LicenseSettings settings) {
        this.issuerKey = settings.publicKey() == null || settings.publicKey().isBlank() ? null : parseKey(settings.publicKey());
    }

    License read(String jwt, Instant now) {
        String[] parts = jwt.strip().split("\\.", -1);
        if (parts.length != 3) {
            throw invalid("is not a signed JWT (three base64url parts separated by dots)");
        }
        JsonNode header = decode(parts[0], "header");
        ObjectNode claims = decode(parts[1], "claims") instanceof ObjectNode object ? object : null;
        if (claims == null) {
            throw invalid("claims must be a JSON object");
        }
        String alg = header.path("alg").asString("");
        boolean verified = false;
        if (issuerKey != null) {
            String algorithm = ALGORITHMS.get(alg);
            if (algorithm == null) {
                throw invalid("is signed with " + (alg.isEmpty() ? "no algorithm" : alg) + "; EdDSA or RS256 is required");
            }
            if (!verifies(algorithm, parts)) {
                throw invalid("signature does not verify with the configured issuer key");
            }
            verified = true;
        }
        for (String claim : List.of("lid", "sub", "company")) {
            if (!claims.path(claim).isString() || claims.path(claim).asString().isBlank()) {
                throw invalid("claim " + claim + " is missing");
            }
        }
        for (String claim : NUMERIC) {
            if (claims.has(claim) && !claims.get(claim).isIntegralNumber()) {
                throw invalid("claim " + claim + " must be a whole number");
            }
        }
        if (!claims.path("exp").isIntegralNumber()) {
            throw invalid("claim exp (expiry, seconds since the epoch) is missing");
        }
        Instant expires = Instant.ofEpochSecond(claims.get("exp").asLong());
        if (!expires.isAfter(now)) {
            throw new ApiException(Problem.of("license-expired", "License expired", 422,
                    "license " + claims.path("lid").asString() + " expired at " + expires));
        }
        if (claims.path("nbf").isIntegralNumber() && Instant.ofEpochSecond(claims.get("nbf").asLong()).isAfter(now)) {
            throw new ApiException(Problem.of("license-not-yet-valid", "License not yet valid", 422,
                    "license " + claims.path("lid").asString() + " is valid from " + Instant.ofEpochSecond(claims.get("nbf").asLong())));
        }
        return new License(claims, sha256(jwt.strip()), verified);
    }

    private boolean verifies(String algorithm, String[] parts) {
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initVerify(issuerKey);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode decode(String part, String what) {
        try {
            return Envelopes.MAPPER.readTree(Base64.getUrlDecoder().decode(part));
        } catch (IllegalArgumentException | JacksonException e) {
            throw invalid("its " + what + " is not base64url-encoded JSON");
        }
    }

    private static PublicKey parseKey(String base64) {
        byte[] der = Base64.getMimeDecoder().decode(base64.replaceAll("-----[A-Z ]+-----", ""));
        for (String algorithm : List.of("Ed25519", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("admin.licenses.public-key is neither an Ed25519 nor an RSA public key");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException invalid(String why) {
        return ApiException.invalidField("/license", why);
    }
}
