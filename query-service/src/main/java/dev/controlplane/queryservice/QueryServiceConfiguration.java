package dev.controlplane.queryservice;

import dev.controlplane.httpsupport.ViewHealth;
import dev.controlplane.auditstore.AuditStore;
import dev.controlplane.accesscontrol.AccessControlConfiguration;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.queryservice.resources.ReadBarrier;
import dev.controlplane.rebuilds.RebuildConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.queryservice.resources.ProjectionProgress;
import dev.controlplane.queryservice.resources.ResourceReadModel;
import dev.controlplane.schemas.ConsumerGroups;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The query service: the resource projector and read model, resource reads and audit queries. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, QuerySettings.class, Database.class})
@Import({AccessControlConfiguration.class, RebuildConfiguration.class})
@ComponentScan({"dev.controlplane.queryservice.resources", "dev.controlplane.queryservice.audit", "dev.controlplane.queryservice.system"})
public class QueryServiceConfiguration {

    /** Consumer group of the resource projector; its offsets say how far the read model has come. */
    public static final String PROJECTOR_GROUP = ConsumerGroups.READ_MODEL;

    @Bean(destroyMethod = "close")
    SqlStore queryReadModelStore(QuerySettings settings, Database database) {
        return SqlStore.open(database.orElse(settings.readModelUrl()), "read-model", 4);
    }

    @Bean(destroyMethod = "close")
    SqlStore queryAuditStore(QuerySettings settings, Database database) {
        return SqlStore.open(database.orElse(settings.auditUrl()), "audit", 4);
    }

    @Bean
    ResourceReadModel resourceReadModel(SqlStore queryReadModelStore) {
        return new ResourceReadModel(queryReadModelStore);
    }

    @Bean
    AuditStore queryAuditReader(SqlStore queryAuditStore) {
        return new AuditStore(queryAuditStore);
    }

    /** Reads wait for the projector of this process, or for the one whose position the shared store keeps. */
    @Bean(destroyMethod = "close")
    ReadBarrier readModelBarrier(KafkaSettings kafka, @Qualifier("resourceProjector") ObjectProvider<EventProjector> resourceProjector,
                                 SqlStore queryReadModelStore, QuerySettings settings) {
        return new ReadBarrier(kafka, resourceProjector.getIfAvailable(), queryReadModelStore, PROJECTOR_GROUP,
                settings.consistencyWait());
    }

    @Bean
    ProjectionProgress projectionProgress() {
        return new ProjectionProgress();
    }

    @Bean
    StoreRebuild.Target readModelRebuild(SqlStore queryReadModelStore) {
        return StoreRebuilds.readModel(queryReadModelStore, PROJECTOR_GROUP);
    }

    @Bean
    StoreRebuild.Target auditRebuild(SqlStore queryAuditStore) {
        return StoreRebuilds.audit(queryAuditStore, ConsumerGroups.AUDIT, ConsumerGroups.SECURITY_AUDIT);
    }

    /** Off for a read-only replica that serves a read model another instance projects. */
    @Bean
    @ConditionalOnProperty(name = "admin.query.projector-enabled", matchIfMissing = true)
    EventProjector resourceProjector(KafkaSettings kafka, SqlStore queryReadModelStore, ResourceReadModel readModel,
                                     ProjectionProgress progress, MeterRegistry meters) {
        EventProjector projector = new EventProjector(PROJECTOR_GROUP, kafka, queryReadModelStore, (events, checkpoint) -> {
            readModel.apply(events, checkpoint);
            progress.committed(events);
        });
        projector.withMetrics(meters).everyPartition();
        return projector;
    }

    @Bean
    @ConditionalOnProperty(name = "admin.query.projector-enabled", matchIfMissing = true)
    ViewHealth resourceProjectorHealth(EventProjector resourceProjector) {
        return ViewHealth.of("read-model projector", resourceProjector::problem, resourceProjector::dead);
    }
}
