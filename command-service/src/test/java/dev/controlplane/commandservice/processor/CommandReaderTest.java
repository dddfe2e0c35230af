package dev.controlplane.commandservice.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandReaderTest {

    private static final String ID = "0192f0c4-1a2b-7c3d-8e4f-0123456789ab";

    private static CommandReader.Read read(String key, String json) {
        return CommandReader.read(key, json.getBytes(StandardCharsets.UTF_8), c -> c.resource().key());
    }

    @Test
    void aRecordWithoutAnId_isSkipped() {
        assertThat(read("tenant/a", "not json")).isInstanceOf(CommandReader.Unreadable.class);
        assertThat(read("tenant/a", "[1,2]")).isInstanceOf(CommandReader.Unreadable.class);
        assertThat(read("tenant/a", "{\"type\":\"tenant.create\"}")).isInstanceOf(CommandReader.Unreadable.class);
        assertThat(read("tenant/a", "{\"id\":\"nope\"}")).isInstanceOf(CommandReader.Unreadable.class);
    }

    @Test
    void aCommandWithAnIdThatCannotBeDecided_isAnswered() {
        assertThat(read("tenant/a", "{\"id\":\"" + ID + "\",\"type\":\"tenant.create\",\"payload\":{}}"))
                .isInstanceOfSatisfying(CommandReader.Refused.class, r -> {
                    assertThat(r.problem().status()).isEqualTo(400);
                });
        assertThat(read("tenant/a", "{\"id\":\"" + ID + "\",\"type\":\"tenant.create\",\"resource\":42}"))
                .isInstanceOf(CommandReader.Refused.class);
    }

    @Test
    void aCommandFromANewerGateway_isAnswered_notDropped() {
        assertThat(read("tenant/a", "{\"id\":\"" + ID + "\",\"schema_version\":99,\"type\":\"tenant.frobnicate\"}"))
                .isInstanceOfSatisfying(CommandReader.Refused.class, r -> {
                    assertThat(r.problem().status()).isEqualTo(422);
                    assertThat(r.problem().detail()).contains("99");
                });
    }

    @Test
    void aCommandUnderAnotherKeyThanItsResource_isRefused() {
        String command = "{\"id\":\"" + ID + "\",\"type\":\"tenant.create\",\"schema_version\":1,"
                + "\"resource\":{\"kind\":\"tenant\",\"name\":\"a\"},\"payload\":{}}";
        assertThat(read("tenant/a", command)).isInstanceOf(CommandReader.Readable.class);
        assertThat(read("tenant/b", command)).isInstanceOf(CommandReader.Refused.class);
    }
}
