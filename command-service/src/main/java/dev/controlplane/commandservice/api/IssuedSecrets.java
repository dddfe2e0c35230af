package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.AuthSettings;
import dev.controlplane.httpsupport.TokenSecrets;
import dev.controlplane.webhooksupport.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The secrets the API issues (tokens, API keys, webhook signing secrets), derived from a server-held key and the
 * command that issues them: a retry of that command (same Idempotency-Key, so the same command id) is answered with
 * the same secret, while nothing that would recover a secret is stored anywhere.
 */
@Component
class IssuedSecrets {

    private final byte[] key;

    /**
     * Every instance of the command service needs the same key (standalone generates {@code data/secret-key}):
     * a retry answered by an instance with another key would get a secret that does not match the one stored, so
     * a service without one refuses to start instead.
     */
    IssuedSecrets(AuthSettings settings) {
        if (settings.secretKey() == null || settings.secretKey().isBlank()) {
            throw new IllegalStateException("admin.auth.secret-key (ADMIN_AUTH_SECRETKEY) is not set: every command service "
                    + "instance needs the same key, from which the secrets it issues are derived");
        }
        key = settings.secretKey().getBytes(StandardCharsets.UTF_8);
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
