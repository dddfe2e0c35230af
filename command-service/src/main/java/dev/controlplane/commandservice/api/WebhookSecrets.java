package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.webhooksupport.SecretBox;
import dev.controlplane.webhooksupport.TargetGuard;
import dev.controlplane.webhooksupport.WebhookSettings;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a write to a kind that seals a secret (webhooks) needs before it becomes a command: its target passes the
 * SSRF guard, and a new signing secret is generated and sealed, so the log never sees it in clear.
 */
@Component
class WebhookSecrets {

    private final WebhookSettings settings;
    private final TargetGuard guard;

    WebhookSecrets(WebhookSettings settings) {
        this.settings = settings;
        this.guard = settings.guard();
    }

    /** Refuses a target the guard refuses; 400 naming {@code /url}. */
    void checkTarget(ObjectNode payload) {
        if (payload.has("url") && payload.get("url").isString()) {
            String why = guard.problem(payload.get("url").asString());
            if (why != null) {
                throw ApiException.invalidField("/url", why);
            }
        }
    }

    /** Puts {@code secret} sealed in the payload and returns it, to be shown once. */
    String newSecret(ObjectNode payload, String secret) {
        if (settings.secretKey() == null || settings.secretKey().isBlank()) {
            throw new ApiException(Problem.of("webhooks-not-configured", "Service unavailable", 503,
                    "webhook secrets cannot be sealed: admin.webhooks.secret-key is not configured"));
        }
        SecretBox box = settings.secretBox();
        payload.put(ResourceKind.SEALED_SECRET, box.seal(secret));
        return secret;
    }

    /** As {@link #newSecret}, for a rotation: the previous secret stays valid for the configured overlap. */
    String rotation(ObjectNode payload, String secret) {
        newSecret(payload, secret);
        payload.put(ResourceKind.ROTATION_OVERLAP_SECONDS, settings.secretRotationOverlap().toSeconds());
        return secret;
    }
}
