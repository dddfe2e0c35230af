package dev.controlplane.httpsupport;

import dev.controlplane.schemas.OpenApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Serves the API's OpenAPI document, the file kept in the schemas module. */
@RestController
class OpenApiController {

    private final byte[] document = load();

    @GetMapping("/api/v1/openapi.json")
    ResponseEntity<byte[]> openApi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(document);
    }

    private static byte[] load() {
        try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(OpenApi.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OpenApi.RESOURCE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
