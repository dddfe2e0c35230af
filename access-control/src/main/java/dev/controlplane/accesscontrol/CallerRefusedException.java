package dev.controlplane.accesscontrol;

import org.springframework.security.authentication.BadCredentialsException;

/**
 * A presented credential that does not authenticate, with why and, where it names a known token or user, whose it
 * is: what a failed-authentication audit record says. Never carries the secret.
 */
final class CallerRefusedException extends BadCredentialsException {

    private final String presented;

    CallerRefusedException(String reason, String presented) {
        super(reason);
        this.presented = presented;
    }

    /** The actor the credential names ({@code token:ci}), or {@code anonymous} when it names nothing known. */
    String presented() {
        return presented;
    }
}
