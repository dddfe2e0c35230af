package dev.controlplane.auditprojector;

import dev.controlplane.httpsupport.ViewHealth;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.LogProjector;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.ConsumerGroups;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit projector: its own consumer group, its own writer connection to the audit store. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, AuditProjectorSettings.class, Database.class})
public class AuditProjectorConfiguration {

    public static final String PROJECTOR_GROUP = ConsumerGroups.AUDIT;

    @Bean(destroyMethod = "close")
    SqlStore auditProjectorStore(AuditProjectorSettings settings, Database database) {
        return SqlStore.open(database.orElse(settings.url()), "audit", 1);
    }

    @Bean
    AuditStore auditAppender(SqlStore auditProjectorStore) {
        return new AuditStore(auditProjectorStore);
    }

    @Bean
    @ConditionalOnProperty(name = "admin.audit.projector-enabled", matchIfMissing = true)
    EventProjector auditProjector(KafkaSettings kafka, SqlStore auditProjectorStore, AuditStore auditAppender,
                                  ObjectProvider<MeterRegistry> meters) {
        EventProjector projector = new EventProjector(PROJECTOR_GROUP, kafka, auditProjectorStore, auditAppender::append);
        meters.ifAvailable(projector::withMetrics);
        return projector;
    }

    /** Failed and denied calls, already aggregated per address and window by the services that saw them. */
    @Bean
    @ConditionalOnProperty(name = "admin.audit.projector-enabled", matchIfMissing = true)
    LogProjector<SecurityEvent> securityEventProjector(KafkaSettings kafka, SqlStore auditProjectorStore, AuditStore auditAppender,
                                                       ObjectProvider<MeterRegistry> meters) {
        LogProjector<SecurityEvent> projector = new LogProjector<>(ConsumerGroups.SECURITY_AUDIT, kafka, Topics.SECURITY_EVENTS,
                Envelopes::readSecurityEvent, SecurityEvent::windowStart, auditProjectorStore,
                auditAppender::appendSecurity);
        meters.ifAvailable(projector::withMetrics);
        return projector;
    }

    @Bean
    @ConditionalOnProperty(name = "admin.audit.projector-enabled", matchIfMissing = true)
    ViewHealth auditProjectorHealth(EventProjector auditProjector, LogProjector<SecurityEvent> securityEventProjector) {
        return ViewHealth.of("audit projector", () -> {
            String events = auditProjector.problem();
            String security = securityEventProjector.problem();
            return events != null ? events : security == null ? null : "security events: " + security;
        }, () -> auditProjector.dead() || securityEventProjector.dead());
    }
}
