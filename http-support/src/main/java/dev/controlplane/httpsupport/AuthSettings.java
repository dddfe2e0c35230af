package dev.controlplane.httpsupport;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Authentication settings.
 *
 * @param token        the bootstrap admin token; when blank the admin API is disabled and answers 404
 * @param cursorSecret signs cursors; when blank a random one is used and cursors do not survive a restart
 */
@ConfigurationProperties("admin.auth")
public record AuthSettings(String token, String cursorSecret) {

    public boolean enabled() {
        return token != null && !token.isBlank();
    }
}
