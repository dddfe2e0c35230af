package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.controlplane.client.ApiClient;
import dev.controlplane.client.ApiException;
import dev.controlplane.client.ApiResponse;
import dev.controlplane.client.api.AuditApi;
import dev.controlplane.client.api.TenantApi;
import dev.controlplane.client.model.AuditPage;
import dev.controlplane.client.model.Tenant;
import dev.controlplane.client.model.TenantCreate;
import dev.controlplane.client.model.TenantList;
import dev.controlplane.client.model.TenantUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client generated from openapi.json by openapi-generator (Maven plugin, Java "native" library; not written by
 * hand) drives the running system: create, read, update with If-Match, list with a cursor, audit query.
 */
class GeneratedClientIT {

    private final Standalone system = TestSystem.shared();
    private final ApiClient client = new ApiClient()
            .setRequestInterceptor(request -> request.header("Authorization", "Bearer " + system.token()));

    {
        client.updateBaseUri("http://127.0.0.1:" + system.port());
    }

    @Test
    void theGeneratedClient_createsReadsUpdatesListsAndQueriesTheAudit() throws ApiException {
        TenantApi tenants = new TenantApi(client);
        String prefix = "gen-" + UUID.randomUUID().toString().substring(0, 6);

        ApiResponse<Tenant> created = tenants.createTenantWithHttpInfo(
                new TenantCreate().name(prefix + "-a").displayName("Generated A").cluster("main"), null, "request-" + prefix);
        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(created.getHeaders().get("etag")).containsExactly("\"1\"");
        assertThat(created.getHeaders().get("x-request-id")).containsExactly("request-" + prefix);
        for (String suffix : List.of("-b", "-c")) {
            tenants.createTenant(new TenantCreate().name(prefix + suffix).cluster("main"), "key" + prefix + suffix, null);
        }

        ApiResponse<Tenant> read = tenants.getTenantWithHttpInfo(prefix + "-a", 1L, null, null, null);
        assertThat(read.getData().getDisplayName()).isEqualTo("Generated A");
        String etag = read.getHeaders().get("etag").getFirst();

        Tenant updated = tenants.updateTenant(etag, prefix + "-a", new TenantUpdate().displayName("Generated A, renamed"), null, null, null);
        assertThat(updated.getDisplayName()).isEqualTo("Generated A, renamed");
        assertThatThrownBy(() -> tenants.updateTenant(etag, prefix + "-a", new TenantUpdate().displayName("stale"), null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(412);
                    assertThat(e.getResponseBody()).contains("\"current_version\":2");
                });

        tenants.getTenant(prefix + "-c", 1L, null, null, null);
        List<String> names = new ArrayList<>();
        String cursor = null;
        do {
            TenantList page = tenants.listTenants(false, 1, cursor, null, null);
            page.getItems().stream().map(Tenant::getName).filter(n -> n.startsWith(prefix)).forEach(names::add);
            cursor = page.getNextCursor();
        } while (cursor != null);
        assertThat(names).containsExactly(prefix + "-a", prefix + "-b", prefix + "-c");

        AuditApi audit = new AuditApi(client);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            AuditPage page = audit.queryAudit("bootstrap:admin", "tenant.update", null, null, "tenant/" + prefix + "-a", "asc", 10, null, null);
            assertThat(page.getItems()).singleElement().satisfies(record -> {
                assertThat(record.getVersion()).isEqualTo(2L);
                assertThat(record.getAction()).isEqualTo("tenant.update");
            });
        });
    }
}
