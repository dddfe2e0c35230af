package dev.controlplane.httpsupport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Access token secrets: 256 random bits, shown once; what is kept is their SHA-256. A salted slow hash is for
 * passwords people choose; a random 256-bit secret cannot be guessed, and a plain digest lets auth look it up.
 */
public final class TokenSecrets {

    /** Access tokens; API keys. The prefix tells a leaked secret's kind to people and secret scanners. */
    public static final String TOKEN_PREFIX = "cpat_";
    public static final String API_KEY_PREFIX = "cpk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    public static String newToken() {
        return newSecret(TOKEN_PREFIX);
    }

    public static String newSecret(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What lists show instead of a secret: enough to recognise it, never enough to use it. */
    public static String mask(String secret) {
        int underscore = secret.indexOf('_');
        String prefix = underscore > 0 && underscore < 8 ? secret.substring(0, underscore + 1) : "";
        return prefix + "…" + secret.substring(Math.max(prefix.length(), secret.length() - 4));
    }

    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
