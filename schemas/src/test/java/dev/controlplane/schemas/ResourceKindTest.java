package dev.controlplane.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKinds;
import org.junit.jupiter.api.Test;

class ResourceKindTest {

    private static ResourceKind.Validated create(ResourceKind kind, String json) {
        return kind.validateCreate(Envelopes.MAPPER.readTree(json));
    }

    @Test
    void createBody_keepsOnlySettableFields_andIgnoresServerManagedOnes() {
        ResourceKind.Validated valid = create(ResourceKinds.TENANT,
                "{\"name\":\"acme\",\"cluster\":\"main\",\"status\":\"inactive\",\"created_at\":\"2020-01-01T00:00:00Z\"}");

        assertThat(valid.valid()).isTrue();
        assertThat(valid.payload().toString()).isEqualTo("{\"cluster\":\"main\"}");
    }

    @Test
    void createBody_namesEveryInvalidField() {
        ResourceKind.Validated invalid = create(ResourceKinds.TENANT, "{\"name\":\"AB\",\"cluster\":7,\"limits\":{}}");

        assertThat(invalid.errors()).extracting(Problem.FieldError::field).containsExactlyInAnyOrder("/name", "/cluster", "/limits");
    }

    @Test
    void accessPolicy_realmsAndScopesAreChecked() {
        assertThat(create(ResourceKinds.ACCESS_POLICY, "{\"name\":\"readers\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\","
                + "\"label_policies\":[{\"selector\":\"{job=\\\"x\\\"}\"}]}],\"scopes\":[\"metrics:read\"]}").valid()).isTrue();
        assertThat(create(ResourceKinds.ACCESS_POLICY, "{\"name\":\"readers\",\"realms\":[{\"tenant\":\"*\"}],\"scopes\":[\"root\"]}")
                .errors()).extracting(Problem.FieldError::field).containsExactlyInAnyOrder("/realms/0/cluster", "/scopes/0");
    }

    @Test
    void updateBody_ignoresName_andChecksStatus() {
        ResourceKind.Validated valid = ResourceKinds.TENANT.validateUpdate("acme",
                Envelopes.MAPPER.readTree("{\"name\":\"other\",\"status\":\"inactive\"}"));
        ResourceKind.Validated invalid = ResourceKinds.TENANT.validateUpdate("acme",
                Envelopes.MAPPER.readTree("{\"status\":\"deleted\"}"));

        assertThat(valid.payload().toString()).isEqualTo("{\"status\":\"inactive\"}");
        assertThat(invalid.errors()).extracting(Problem.FieldError::field).containsExactly("/status");
    }
}
