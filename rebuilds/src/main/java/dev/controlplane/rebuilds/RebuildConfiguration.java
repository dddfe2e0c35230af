package dev.controlplane.rebuilds;

import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.kafkasupport.Rebuilds;
import dev.controlplane.kafkasupport.StoreRebuild;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The rebuild endpoint of a service, over every store it declares a {@link StoreRebuild.Target} for: the query service
 * its read model and audit store, the webhook dispatcher its store; the standalone system, holding both, all three.
 * Imported by each service's configuration (Spring imports it once however many do).
 */
@Configuration(proxyBeanMethods = false)
@Import(RebuildController.class)
public class RebuildConfiguration {

    @Bean(destroyMethod = "close")
    Rebuilds rebuilds(List<StoreRebuild.Target> targets, KafkaSettings kafka) {
        return new Rebuilds(targets, kafka);
    }
}
