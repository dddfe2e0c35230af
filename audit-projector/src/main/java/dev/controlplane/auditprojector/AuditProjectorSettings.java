package dev.controlplane.auditprojector;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Where the audit projector writes. */
@ConfigurationProperties("admin.audit")
public record AuditProjectorSettings(
        @DefaultValue("jdbc:sqlite:./data/audit.db") String url,
        String username,
        String password) {
}
