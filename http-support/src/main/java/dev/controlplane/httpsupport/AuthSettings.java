package dev.controlplane.httpsupport;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Authentication secrets.
 *
 * @param token        the bootstrap admin token (scope {@code admin}); blank, with no JWT issuer configured, disables
 *                     the admin API (404)
 * @param cursorSecret signs cursors; when blank a random one is used and cursors do not survive a restart
 * @param secretKey    derives the secrets the API issues from their command ids, so a retried command gets the same
 *                     secret; when blank a random one is used and only retries before a restart get it back
 */
@ConfigurationProperties("admin.auth")
public record AuthSettings(String token, String cursorSecret, String secretKey) {

    public boolean bootstrapEnabled() {
        return token != null && !token.isBlank();
    }
}
