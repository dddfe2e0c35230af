package dev.controlplane.standalone;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.UnaryOperator;

/**
 * An identity provider for tests: an RSA key this test generated, its key set served over HTTP (as an IdP's
 * {@code jwks_uri}), and JWTs signed with it, well-formed or broken on purpose.
 */
final class JwtIssuer implements AutoCloseable {

    static final String ISSUER = "https://idp.test.example";
    static final String AUDIENCE = "admin-api";

    private final RSAKey key;
    private final RSAKey stranger;
    private final HttpServer server;

    JwtIssuer() {
        try {
            key = new RSAKeyGenerator(2048).keyID("test-key").generate();
            stranger = new RSAKeyGenerator(2048).keyID("test-key").generate();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                exchange.getResponseBody().write(jwks);
                exchange.close();
            });
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String jwkSetUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** The arguments that make a system trust this issuer, as an operator would set them. */
    String[] properties() {
        return new String[] {
                "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + jwkSetUri(),
                "--spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ISSUER,
                "--spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE};
    }

    JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plusSeconds(600)));
    }

    String sign(JWTClaimsSet claims) {
        return sign(key, "test-key", claims);
    }

    String signWith(UnaryOperator<JWTClaimsSet.Builder> change, String subject) {
        return sign(change.apply(claims(subject)).build());
    }

    /** Signed by a key the issuer never published, under the kid it did publish. */
    String signedByAStranger(String subject) {
        return sign(stranger, "test-key", claims(subject).build());
    }

    /** Signed with a kid the key set does not have. */
    String withUnknownKid(String subject) {
        return sign(stranger, "no-such-key", claims(subject).build());
    }

    /** {@code alg: none}: no signature at all. */
    String unsigned(String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims(subject).build().toString().getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    /** HS256 with the public key as the HMAC secret: the classic algorithm-confusion attack. */
    String hmacWithThePublicKey(String subject) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("test-key").type(JOSEObjectType.JWT).build(),
                    claims(subject).build());
            byte[] publicKey = key.toRSAPublicKey().getEncoded();
            byte[] secret = publicKey.length >= 32 ? publicKey : java.util.Arrays.copyOf(publicKey, 32);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(RSAKey signer, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(signer));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
