package dev.controlplane.commandservice;

import dev.controlplane.kafkasupport.Services;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The command service: REST writes, the gateway and (unless admin.processor.enabled=false) the processor, running alone against an external Kafka (see {@link Services}). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(CommandServiceConfiguration.class)
public class CommandServiceApplication {

    public static void main(String[] args) {
        Services.run(CommandServiceApplication.class, args);
    }
}
