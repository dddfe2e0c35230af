package dev.controlplane.httpsupport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets this API issues (access tokens, API keys): 256 bits, shown once; what is kept is their SHA-256. A salted
 * slow hash is for passwords people choose; a random 256-bit secret cannot be guessed, and a plain digest lets auth
 * look it up.
 *
 * <p>The format is the one secret scanners recognise, as GitHub's: a prefix naming the kind ({@code cpat_},
 * {@code cpk_}), 43 base62 characters, and a 6-character base62 CRC32 of the rest, so a leaked secret is identified
 * offline and a mistyped one is refused without a lookup.
 */
public final class TokenSecrets {

    public static final String TOKEN_PREFIX = "cpat_";
    public static final String API_KEY_PREFIX = "cpk_";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int BODY = 43;
    private static final int CHECKSUM = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    public static String newToken() {
        return newSecret(TOKEN_PREFIX);
    }

    public static String newSecret(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return format(prefix, bytes);
    }

    /**
     * A secret derived from a server-held key and what it is for (a command id and a purpose): a retried command
     * gets the same secret again, and nothing that would recover it is stored.
     */
    public static String derived(String prefix, byte[] key, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return format(prefix, mac.doFinal((prefix + "\n" + purpose).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The prefix, the bytes in base62 (43 characters), and the checksum. */
    static String format(String prefix, byte[] bytes) {
        String body = base62(bytes, BODY);
        return prefix + body + base62(crc(prefix + body), CHECKSUM);
    }

    /** True when {@code secret} has this prefix, the length and alphabet of the format, and a matching checksum. */
    public static boolean wellFormed(String prefix, String secret) {
        if (secret == null || secret.length() != prefix.length() + BODY + CHECKSUM || !secret.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < secret.length(); i++) {
            if (BASE62.indexOf(secret.charAt(i)) < 0) {
                return false;
            }
        }
        String head = secret.substring(0, secret.length() - CHECKSUM);
        return MessageDigest.isEqual(base62(crc(head), CHECKSUM).getBytes(StandardCharsets.US_ASCII),
                secret.substring(head.length()).getBytes(StandardCharsets.US_ASCII));
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

    private static byte[] crc(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** Big-endian base62 of {@code bytes}, left-padded with zeros to {@code width} characters. */
    private static String base62(byte[] bytes, int width) {
        java.math.BigInteger value = new java.math.BigInteger(1, bytes);
        java.math.BigInteger base = java.math.BigInteger.valueOf(62);
        StringBuilder out = new StringBuilder();
        while (value.signum() > 0) {
            java.math.BigInteger[] division = value.divideAndRemainder(base);
            out.append(BASE62.charAt(division[1].intValue()));
            value = division[0];
        }
        while (out.length() < width) {
            out.append('0');
        }
        return out.reverse().toString();
    }
}
