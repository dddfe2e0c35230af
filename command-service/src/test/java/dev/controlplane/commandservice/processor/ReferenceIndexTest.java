package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Envelopes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReferenceIndexTest {

    private static String status(String stored) {
        return ReferenceIndex.dataStatus(stored.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theStreamingRead_findsDataStatus_pastNestedFieldsNamedTheSame() {
        assertThat(status("{\"sequence\":3,\"data\":{\"name\":\"t\",\"status\":\"active\"}}")).isEqualTo("active");
        assertThat(status("{\"meta\":{\"status\":\"wrong\",\"list\":[{\"status\":\"x\"}]},\"data\":{\"spec\":{\"status\":\"inner\"},"
                + "\"tags\":[\"a\",{\"status\":\"y\"}],\"status\":\"deleted\"},\"after\":1}")).isEqualTo("deleted");
    }

    @Test
    void theStreamingRead_agreesWithTheTree_whenThereIsNoStatus() {
        for (String stored : new String[] {"{\"sequence\":1}", "{\"data\":null}", "{\"data\":[1]}", "{\"data\":{}}",
                "{\"data\":{\"status\":null}}", "[]"}) {
            String tree = Envelopes.MAPPER.readTree(stored).path("data").path("status").asString();
            assertThat(status(stored)).as(stored).isEqualTo(tree);
        }
        // Where the tree refuses to read an object as text, the view reads no status.
        assertThat(status("{\"data\":{\"status\":{\"a\":1}}}")).isEmpty();
    }
}
