package dev.controlplane.commandservice;

import dev.controlplane.commandservice.api.LicenseSettings;
import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.commandservice.gateway.GatewaySettings;
import dev.controlplane.commandservice.processor.CommandProcessor;
import dev.controlplane.commandservice.processor.ProcessorSettings;
import dev.controlplane.accesscontrol.AccessControlConfiguration;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.webhooksupport.WebhookSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The command service: REST writes and the gateway; and the processor, unless it runs elsewhere. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({KafkaSettings.class, GatewaySettings.class, ProcessorSettings.class, LicenseSettings.class, WebhookSettings.class})
@Import(AccessControlConfiguration.class)
@ComponentScan("dev.controlplane.commandservice.api")
public class CommandServiceConfiguration {

    @Bean
    CommandGateway commandGateway(KafkaSettings kafka, GatewaySettings settings) {
        return new CommandGateway(kafka, settings);
    }

    /** The processor can be scaled apart from the HTTP side: turn it off here and run it in other instances. */
    @Bean
    @ConditionalOnProperty(name = "admin.processor.enabled", matchIfMissing = true)
    CommandProcessor commandProcessor(KafkaSettings kafka, ProcessorSettings settings, MeterRegistry meters) {
        return new CommandProcessor(kafka, settings, meters);
    }
}
