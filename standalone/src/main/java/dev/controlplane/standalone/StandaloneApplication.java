package dev.controlplane.standalone;

import dev.controlplane.auditprojector.AuditProjectorConfiguration;
import dev.controlplane.commandservice.CommandServiceConfiguration;
import dev.controlplane.queryservice.QueryServiceConfiguration;
import dev.controlplane.webhooks.WebhookDispatcherConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** Every service in one application context. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({CommandServiceConfiguration.class, QueryServiceConfiguration.class, AuditProjectorConfiguration.class,
        WebhookDispatcherConfiguration.class})
public class StandaloneApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("migrate")) {
            StoreMigrations.run(System.getenv());
            return;
        }
        Standalone running = Standalone.start(System.getenv(), args);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "standalone-shutdown"));
        System.out.println(running.banner());
    }
}
