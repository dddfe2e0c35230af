package dev.controlplane.auditprojector;

import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.ConsumerGroups;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit projector: its own consumer group, its own writer connection to the audit store. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, AuditProjectorSettings.class})
public class AuditProjectorConfiguration {

    public static final String PROJECTOR_GROUP = ConsumerGroups.AUDIT;

    @Bean(destroyMethod = "close")
    SqlStore auditProjectorStore(AuditProjectorSettings settings) {
        return SqlStore.open(settings.url(), settings.username(), settings.password(), 1);
    }

    @Bean
    AuditStore auditAppender(SqlStore auditProjectorStore) {
        return new AuditStore(auditProjectorStore);
    }

    @Bean
    @ConditionalOnProperty(name = "admin.audit.projector-enabled", matchIfMissing = true)
    EventProjector auditProjector(KafkaSettings kafka, AuditStore auditAppender) {
        return new EventProjector(PROJECTOR_GROUP, kafka, auditAppender::append);
    }
}
