package dev.controlplane.queryservice;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the query service.
 *
 * @param readModelUrl     JDBC URL of the read model when {@code admin.database.url} is not set (a SQLite file)
 * @param auditUrl         JDBC URL of the audit store (written by the audit projector), likewise
 * @param minVersionWait   how long a read with {@code min_version} waits for the projection
 * @param consistencyWait  how long a consistent read (the default) waits for the read model to reach the log's
 *                         committed end as of the request before answering 503
 */
@ConfigurationProperties("admin.query")
public record QuerySettings(
        @DefaultValue("jdbc:sqlite:./data/read-model.db") String readModelUrl,
        @DefaultValue("jdbc:sqlite:./data/audit.db") String auditUrl,
        @DefaultValue("5s") Duration minVersionWait,
        @DefaultValue("5s") Duration consistencyWait) {
}
