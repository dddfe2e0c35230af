package dev.controlplane.httpsupport;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Documents that may travel as YAML as well as JSON (the configuration): the same tree either way, so one
 * schema check serves both forms.
 */
public final class YamlDocuments {

    public static final MediaType APPLICATION_YAML = MediaType.parseMediaType("application/yaml");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private YamlDocuments() {
    }

    /** True when the request says its body is YAML ({@code application/yaml}, {@code text/yaml} …). */
    public static boolean isYaml(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).contains("yaml");
    }

    /** True when the client asks for YAML in {@code Accept} (and not for JSON first). */
    public static boolean wantsYaml(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        for (MediaType type : MediaType.parseMediaTypes(accept)) {
            if (type.getSubtype().contains("yaml")) {
                return true;
            }
            if (type.isCompatibleWith(MediaType.APPLICATION_JSON) && !type.isWildcardType()) {
                return false;
            }
        }
        return false;
    }

    /** Reads a YAML or JSON body (by its content type) into a tree, bounded in size. */
    public static JsonNode read(HttpServletRequest request, int maxBytes) {
        if (!isYaml(request)) {
            return JsonBodies.read(request, maxBytes);
        }
        byte[] body = JsonBodies.bytes(request, maxBytes);
        try {
            JsonNode tree = YAML.readTree(body);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw ApiException.invalidField("body", "is empty; a YAML mapping is required");
            }
            return tree;
        } catch (JacksonException e) {
            throw ApiException.invalidField("body", "is not valid YAML: " + e.getOriginalMessage());
        }
    }

    public static ResponseEntity<byte[]> yaml(int status, HttpHeaders headers, JsonNode body) {
        return ResponseEntity.status(status).headers(headers).contentType(APPLICATION_YAML).body(YAML.writeValueAsBytes(body));
    }
}
