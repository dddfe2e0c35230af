package dev.controlplane.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code webhook-signature} header of Standard Webhooks 1.0: {@code v1,} + base64(HMAC-SHA256 over
 * {@code id.timestamp.body}) for each signing secret, space-separated, so a receiver holding either the new or
 * the previous secret during a rotation can verify.
 */
final class Signatures {

    private static final byte DOT = '.';

    private Signatures() {
    }

    /**
     * One signing secret, keyed once: each signature copies this initialised MAC instead of looking the algorithm
     * up and keying it again (half of what signing cost per delivery). The prototype itself is never updated, so
     * copies may be taken on any thread.
     */
    static final class Key {
        private final Mac prototype;

        Key(String secret) {
            String key = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                // Not the decoder's message: it names the offending character, a piece of the secret, and would be logged.
                throw new IllegalStateException("a signing secret is not base64");
            }
            try {
                prototype = Mac.getInstance("HmacSHA256");
                prototype.init(new SecretKeySpec(bytes, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        String sign(String id, long timestamp, byte[] body) {
            Mac mac;
            try {
                mac = (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                // Every JDK's HmacSHA256 can be copied; this is reached only with a provider that cannot.
                throw new IllegalStateException(e);
            }
            mac.update(id.getBytes(StandardCharsets.UTF_8));
            mac.update(DOT);
            mac.update(Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII));
            mac.update(DOT);
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        }
    }

    static String header(List<Key> keys, String id, long timestamp, byte[] body) {
        StringBuilder header = new StringBuilder(keys.size() * 48);
        for (Key key : keys) {
            if (!header.isEmpty()) {
                header.append(' ');
            }
            header.append("v1,").append(key.sign(id, timestamp, body));
        }
        return header.toString();
    }

    /** The header for secrets given in clear (tests). */
    static String header(List<String> secrets, String id, long timestamp, String body) {
        return header(secrets.stream().map(Key::new).toList(), id, timestamp, body.getBytes(StandardCharsets.UTF_8));
    }
}
