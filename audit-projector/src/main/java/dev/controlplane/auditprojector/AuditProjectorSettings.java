package dev.controlplane.auditprojector;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Where the audit projector writes when {@code admin.database.url} is not set (a SQLite file). */
@ConfigurationProperties("admin.audit")
public record AuditProjectorSettings(
        @DefaultValue("jdbc:sqlite:./data/audit.db") String url) {
}
