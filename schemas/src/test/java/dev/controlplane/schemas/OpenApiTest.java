package dev.controlplane.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document kept in the repository is the one the code declares. After changing a kind or a route:
 * {@code ./mvnw -pl schemas test -Dtest=OpenApiTest -Dregenerate=true}. (That the running API has nothing the
 * document lacks is checked against the live system in {@code OpenApiContractIT}.)
 */
class OpenApiTest {

    private static final Path FILE = Path.of("src/main/resources", OpenApi.RESOURCE);

    @Test
    void theDocumentInTheRepository_isTheOneTheCodeDeclares() throws IOException {
        if (Boolean.getBoolean("regenerate")) {
            OpenApi.main(new String[] {"src/main/resources"});
        }
        assertThat(Files.readString(FILE)).as("openapi.json is out of date: regenerate with -Dregenerate=true (see this test's comment)")
                .isEqualTo(OpenApi.render());
    }

    @Test
    void everyCollectionHasItsFiveOperations_andEveryOperationAnId() {
        JsonNode paths = OpenApi.document().path("paths");
        for (ResourceKind kind : ResourceKinds.ALL) {
            if (kind.isSingleton()) {
                continue;
            }
            String base = "/api/v1/" + kind.collection();
            assertThat(paths.path(base).propertyNames()).contains("get", "post");
            assertThat(paths.path(base + "/{name}").propertyNames()).contains("get", "put", "patch");
            assertThat(paths.path(base + "/{name}/history").has("get")).isTrue();
        }
        paths.properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (op.getValue().isObject() && op.getValue().has("responses")) {
                assertThat(op.getValue().path("operationId").asString()).as(path.getKey() + " " + op.getKey()).isNotBlank();
            }
        }));
    }

    /** What client generators and rendered docs need: a unique id, a summary, and a declared tag on each operation. */
    @Test
    void everyOperation_hasAUniqueId_aSummaryADescription_aDeclaredTag_andTakesARequestId() {
        JsonNode document = OpenApi.document();
        Set<String> declared = new HashSet<>();
        document.path("tags").forEach(tag -> {
            assertThat(tag.path("description").asString()).as("tag " + tag.path("name")).isNotBlank();
            declared.add(tag.path("name").asString());
        });
        Set<String> ids = new HashSet<>();
        Set<String> used = new HashSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (op.getKey().equals("parameters")) {
                return;
            }
            String where = op.getKey() + " " + path.getKey();
            assertThat(ids.add(op.getValue().path("operationId").asString())).as(where + " has a unique operationId").isTrue();
            assertThat(op.getValue().path("summary").asString()).as(where).isNotBlank();
            assertThat(op.getValue().path("description").asString()).as(where).isNotBlank();
            assertThat(op.getValue().path("tags")).as(where).hasSize(1);
            used.add(op.getValue().path("tags").get(0).asString());
            assertThat(op.getValue().path("parameters").toString()).as(where).contains("#/components/parameters/RequestId");
        }));
        assertThat(declared).isEqualTo(used);
    }
}
