package dev.controlplane.webhooks;

import dev.controlplane.httpsupport.ViewHealth;
import io.micrometer.core.instrument.MeterRegistry;
import dev.controlplane.accesscontrol.AccessControlConfiguration;
import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.kafkasupport.EventProjector;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.StoreRebuild;
import dev.controlplane.rebuilds.RebuildConfiguration;
import dev.controlplane.schemas.ConsumerGroups;
import dev.controlplane.schemas.Stores;
import dev.controlplane.schemas.kinds.ResourceKinds;
import dev.controlplane.webhooksupport.WebhookSettings;
import java.time.Instant;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The webhook dispatcher: its consumer group, its store, its sender, and the attempt log's endpoints. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, WebhookSettings.class, Database.class})
@Import({AccessControlConfiguration.class, DeliveryController.class, RebuildConfiguration.class})
@ConditionalOnProperty(name = "admin.webhooks.dispatcher-enabled", matchIfMissing = true)
public class WebhookDispatcherConfiguration {

    @Bean(destroyMethod = "close")
    SqlStore webhookStore(WebhookSettings settings, Database database) {
        return SqlStore.open(database.orElse(settings.storeUrl()), Stores.WEBHOOKS, 2);
    }

    @Bean
    StoreRebuild.Target webhookStoreRebuild(SqlStore webhookStore) {
        return WebhookStoreRebuild.target(webhookStore, ConsumerGroups.WEBHOOKS);
    }

    @Bean
    DeliveryQueue deliveryQueue(SqlStore webhookStore, WebhookSettings settings) {
        return new DeliveryQueue(webhookStore, settings.instanceId(), settings.lease());
    }

    @Bean
    SubscriptionProjection subscriptionProjection(SqlStore webhookStore, WebhookSettings settings) {
        return new SubscriptionProjection(webhookStore, settings.lease());
    }

    @Bean
    AttemptLog attemptLog(SqlStore webhookStore) {
        return new AttemptLog(webhookStore);
    }

    @Bean(destroyMethod = "close")
    SubscriptionCommands subscriptionCommands(KafkaSettings kafka) {
        return new SubscriptionCommands(kafka);
    }

    @Bean
    DeliverySender deliverySender(DeliveryQueue deliveryQueue, SubscriptionProjection subscriptionProjection, WebhookSettings settings,
                                  SubscriptionCommands subscriptionCommands, MeterRegistry meters) {
        return new DeliverySender(deliveryQueue, subscriptionProjection, settings, subscriptionCommands).withMetrics(meters);
    }

    @Bean(destroyMethod = "close")
    SubscriptionBackfill subscriptionBackfill(KafkaSettings kafka, SubscriptionProjection subscriptionProjection) {
        return new SubscriptionBackfill(kafka, subscriptionProjection);
    }

    @Bean
    EventProjector webhookProjector(KafkaSettings kafka, SqlStore webhookStore, SubscriptionProjection deliveryStore,
                                    DeliverySender deliverySender, SubscriptionBackfill backfill, MeterRegistry meters) {
        EventProjector projector = new EventProjector(ConsumerGroups.WEBHOOKS, kafka, webhookStore, (events, checkpoint) -> {
            Instant now = Instant.now();
            deliveryStore.project(events, checkpoint, now);
            backfill.afterProjecting(events, now);
            if (events.stream().anyMatch(event -> event.resource().kind().equals(ResourceKinds.WEBHOOK.name()))) {
                deliverySender.subscriptionsChanged();
            }
            deliverySender.wake();
        });
        // Every dispatcher projects the whole log into the shared store (and so sees every subscription change); the
        // sending is what is shared out, by lease.
        projector.withMetrics(meters).everyPartition();
        return projector;
    }

    @Bean
    ViewHealth webhookProjectorHealth(EventProjector webhookProjector) {
        return ViewHealth.of("webhook projector", webhookProjector::problem, webhookProjector::dead);
    }
}
