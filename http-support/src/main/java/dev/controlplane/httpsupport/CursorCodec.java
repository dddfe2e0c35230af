package dev.controlplane.httpsupport;

import dev.controlplane.schemas.Envelopes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Opaque cursors: a position, signed together with the filter it was issued for. A cursor that was altered, or
 * is replayed against another filter, fails the signature check and is refused with 400.
 */
public final class CursorCodec {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public CursorCodec(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String encode(ObjectNode position, String filter) {
        byte[] payload = Envelopes.MAPPER.writeValueAsBytes(position);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(sign(payload, filter));
    }

    public JsonNode decode(String cursor, String filter) {
        int dot = cursor.indexOf('.');
        try {
            byte[] payload = DECODER.decode(cursor.substring(0, dot));
            byte[] signature = DECODER.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, sign(payload, filter))) {
                throw invalid();
            }
            return Envelopes.MAPPER.readTree(payload);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | tools.jackson.core.JacksonException e) {
            throw invalid();
        }
    }

    /** A cursor that carries one numeric position ({@code {"<field>": n}}), as every keyset page here uses. */
    public String encode(String field, long position, String filter) {
        return encode(Envelopes.MAPPER.createObjectNode().put(field, position), filter);
    }

    /** The numeric position of a cursor issued for this filter; 400 when it is not such a cursor. */
    public long position(String cursor, String filter, String field) {
        JsonNode position = decode(cursor, filter).get(field);
        if (position == null || !position.canConvertToLong()) {
            throw invalid();
        }
        return position.asLong();
    }

    private byte[] sign(byte[] payload, String filter) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(payload);
            mac.update((byte) '\n');
            mac.update(filter.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(mac.doFinal(), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException invalid() {
        return ApiException.invalidField("cursor", "is not a cursor this server issued for this query");
    }
}
