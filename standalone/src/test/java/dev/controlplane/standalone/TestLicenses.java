package dev.controlplane.standalone;

import dev.controlplane.schemas.Envelopes;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/** Licenses for tests, signed as an issuer would sign them. */
final class TestLicenses {

    private TestLicenses() {
    }

    /** A license as an issuer would sign it: a JWS with EdDSA over GEM's claims. */
    static String sign(PrivateKey issuer, long notBefore, long expires) throws Exception {
        ObjectNode claims = Envelopes.MAPPER.createObjectNode()
                .put("jti", UUID.randomUUID().toString()).put("iss", "https://licensing.example").put("sub", "example-corp")
                .put("iat", notBefore).put("nbf", notBefore).put("exp", expires).put("lexp", expires)
                .put("lid", "L-1234").put("max_users", 50).put("included_admins", 5).put("included_viewers", 20)
                .put("lic_exp_warn_days", 30).put("company", "Example Corp").put("slug", "example");
        claims.putArray("prod").add("enterprise-metrics");
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String signed = base64.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(Envelopes.MAPPER.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(issuer);
        signature.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + base64.encodeToString(signature.sign());
    }
}
