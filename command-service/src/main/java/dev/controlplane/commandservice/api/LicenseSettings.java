package dev.controlplane.commandservice.api;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How uploaded licenses are checked.
 *
 * @param publicKey the license issuer's public key (base64 X.509 SubjectPublicKeyInfo, Ed25519 or RSA). With it a
 *                  license must carry a valid signature; without it licenses are accepted unverified and listed so.
 */
@ConfigurationProperties("admin.licenses")
public record LicenseSettings(String publicKey) {
}
