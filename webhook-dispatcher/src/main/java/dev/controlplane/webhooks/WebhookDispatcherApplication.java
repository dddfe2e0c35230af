package dev.controlplane.webhooks;

import dev.controlplane.kafkasupport.Services;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The webhook dispatcher and its attempt log, running alone against an external Kafka (see {@link Services}). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(WebhookDispatcherConfiguration.class)
public class WebhookDispatcherApplication {

    public static void main(String[] args) {
        Services.run(WebhookDispatcherApplication.class, args);
    }
}
