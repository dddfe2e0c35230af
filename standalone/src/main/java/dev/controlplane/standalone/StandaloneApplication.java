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

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("migrate")) {
            StoreMigrations.run(System.getenv());
            return;
        }
        if (args.length > 0 && args[0].equals("rebuild")) {
            if (args.length != 2) {
                System.err.println("usage: rebuild read-model|audit");
                System.exit(2);
            }
            System.exit(RebuildCommand.run(System.getenv(), args[1], System.out));
        }
        Standalone running = Standalone.start(System.getenv(), args);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "standalone-shutdown"));
        System.out.println(running.banner());
    }
}
