package dev.controlplane.httpsupport;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads a request body as JSON: bounded in size, strict (no duplicate keys, no trailing content). */
public final class JsonBodies {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {
    }

    public static JsonNode read(HttpServletRequest request, int maxBytes) {
        byte[] body = bytes(request, maxBytes);
        if (body.length == 0) {
            throw ApiException.invalidField("body", "is empty; a JSON object is required");
        }
        try {
            return STRICT.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.invalidField("body", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The body's bytes, refused with 400 beyond {@code maxBytes}. */
    static byte[] bytes(HttpServletRequest request, int maxBytes) {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be read");
        }
        if (body.length > maxBytes) {
            throw ApiException.invalidField("body", "is larger than " + maxBytes + " bytes");
        }
        return body;
    }
}
