package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bootstrap token: generated once and printed by that start only; later starts say where it is. */
class BootstrapTokenIT {

    @Test
    void aGeneratedBootstrapToken_isPrintedOnce_andLaterStartsSayOnlyWhereItIs() throws Exception {
        Path dataDir = TestSystem.newDataDir();
        Map<String, String> env = Map.of("ADMIN_DATA_DIR", dataDir.toString());
        String token;
        try (Standalone first = Standalone.start(env, "--server.port=0")) {
            token = first.token();
            assertThat(first.banner()).contains(token).contains("shown this once");
            assertThat(Api.of(first).get("/api/v1/whoami").json().path("identity").asString()).isEqualTo("bootstrap:admin");
        }
        assertThat(Files.readString(dataDir.resolve("admin-token")).strip()).isEqualTo(token);
        try (Standalone second = Standalone.start(env, "--server.port=0")) {
            assertThat(second.token()).isEqualTo(token);
            assertThat(second.banner()).doesNotContain(token).contains(dataDir.resolve("admin-token").toString());
            assertThat(Api.of(second).get("/api/v1/whoami").status()).isEqualTo(200);
        }
    }

    @Test
    void adminToken_overridesAConfiguredOne() {
        Map<String, String> env = Map.of("ADMIN_DATA_DIR", TestSystem.newDataDir().toString(), "ADMIN_TOKEN", "from-the-environment");
        try (Standalone system = Standalone.start(env, "--server.port=0", "--admin.auth.token=from-a-property")) {
            Api api = Api.of(system);
            assertThat(api.withToken("from-the-environment").get("/api/v1/whoami").status()).isEqualTo(200);
            assertThat(api.withToken("from-a-property").get("/api/v1/whoami").status()).isEqualTo(401);
            assertThat(system.banner()).doesNotContain("from-the-environment");
        }
    }
}
