package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.AuthSettings;
import dev.controlplane.httpsupport.TokenSecrets;
import dev.controlplane.webhooksupport.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The secrets the API issues (tokens, API keys, webhook signing secrets), derived from a server-held key and the
 * command that issues them: a retry of that command (same Idempotency-Key, so the same command id) is answered with
 * the same secret, while nothing that would recover a secret is stored anywhere.
 */
@Component
class IssuedSecrets {

    private static final Logger log = LoggerFactory.getLogger(IssuedSecrets.class);

    private final byte[] key;

    IssuedSecrets(AuthSettings settings) {
        if (settings.secretKey() != null && !settings.secretKey().isBlank()) {
            key = settings.secretKey().getBytes(StandardCharsets.UTF_8);
        } else {
            key = new byte[32];
            new SecureRandom().nextBytes(key);
            log.warn("admin.auth.secret-key is not set: a write that issues a secret and is retried after a restart "
                    + "will not get its secret back");
        }
    }

    /** The secret of token {@code name} created by {@code command}: one Idempotency-Key reused for two names gives two. */
    String token(UUID command, String name) {
        return TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, key, command + "/token/" + name);
    }

    String apiKey(UUID command, String name) {
        return TokenSecrets.derived(TokenSecrets.API_KEY_PREFIX, key, command + "/api_key/" + name);
    }

    String webhookSecret(UUID command, String name) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return SecretBox.signingSecret(mac.doFinal(("whsec\n" + command + "/webhook/" + name).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
