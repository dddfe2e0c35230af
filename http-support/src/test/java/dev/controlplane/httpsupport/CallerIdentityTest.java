package dev.controlplane.httpsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerIdentityTest {

    private static CallerIdentity boundTo(String... realms) {
        return new CallerIdentity("token", "t1", Set.of("tenants:read"), Set.of(realms), null, null);
    }

    @Test
    void aCallerOfEveryTenant_mayAccessAnyTenants_andEveryTenant() {
        CallerIdentity everywhere = boundTo(CallerIdentity.ALL_TENANTS);

        assertThat(everywhere.allTenants()).isTrue();
        assertThat(everywhere.mayAccessTenants(List.of("a"))).isTrue();
        assertThat(everywhere.mayAccessTenants(List.of("a", "b", "c"))).isTrue();
        assertThat(everywhere.mayAccessTenants(List.of(CallerIdentity.ALL_TENANTS))).isTrue();
    }

    @Test
    void aCallerBoundToOneTenant_mayAccessThatTenant() {
        assertThat(boundTo("a").mayAccessTenants(List.of("a"))).isTrue();
    }

    @Test
    void aCallerBoundToOneTenant_mayNotAccessItTogetherWithAnother() {
        assertThat(boundTo("a").mayAccessTenants(List.of("a", "b"))).isFalse();
        assertThat(boundTo("a").mayAccessTenants(List.of("b"))).isFalse();
    }

    @Test
    void aCallerBoundToSomeTenants_mayNotAccessEveryTenant() {
        assertThat(boundTo("a").allTenants()).isFalse();
        assertThat(boundTo("a").mayAccessTenants(List.of(CallerIdentity.ALL_TENANTS))).isFalse();
        assertThat(boundTo("a", "b").mayAccessTenants(List.of("a", CallerIdentity.ALL_TENANTS))).isFalse();
    }

    @Test
    void theIdentity_isTheKindAndTheName() {
        assertThat(boundTo("a").identity()).isEqualTo("token:t1");
    }
}
