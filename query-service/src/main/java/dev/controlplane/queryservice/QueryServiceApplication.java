package dev.controlplane.queryservice;

import dev.controlplane.kafkasupport.Services;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The query service: the read model, resource reads, audit queries, features and status, running alone against an external Kafka (see {@link Services}). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(QueryServiceConfiguration.class)
public class QueryServiceApplication {

    public static void main(String[] args) {
        Services.run(QueryServiceApplication.class, args);
    }
}
