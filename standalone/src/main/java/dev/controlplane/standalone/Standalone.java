package dev.controlplane.standalone;

import dev.controlplane.commandservice.processor.CommandProcessor;
import dev.controlplane.kafkasupport.Services;
import dev.controlplane.webhooksupport.SecretBox;
import dev.controlplane.embeddedkafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the whole system in one JVM: the embedded broker first, then every service; stops them in reverse.
 * Everything lives under the data directory ({@code ADMIN_DATA_DIR}, default {@code ./data}), so a restart finds
 * every topic, offset, state store and database where it left them.
 */
public final class Standalone implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;
    private final ConfigurableApplicationContext context;
    private final Path dataDir;
    private final String token;
    private final boolean tokenFromFile;
    private final boolean tokenGenerated;

    private Standalone(EmbeddedKafkaBroker broker, String bootstrapServers, ConfigurableApplicationContext context,
                       Path dataDir, String token, boolean tokenFromFile, boolean tokenGenerated) {
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.context = context;
        this.dataDir = dataDir;
        this.token = token;
        this.tokenFromFile = tokenFromFile;
        this.tokenGenerated = tokenGenerated;
    }

    /**
     * @param env {@code ADMIN_DATA_DIR}, {@code ADMIN_TOKEN}, {@code ADMIN_KAFKA_PORT} (0 or unset: any free port),
     *            {@code ADMIN_KAFKA_BOOTSTRAP_SERVERS} (an external Kafka instead of the embedded broker);
     *            Spring properties ({@code SERVER_PORT}, …) come from the process environment as usual
     */
    public static Standalone start(Map<String, String> env, String... args) {
        Path dataDir = Path.of(env.getOrDefault("ADMIN_DATA_DIR", "./data")).toAbsolutePath().normalize();
        Secrets.ownerOnly(dataDir);
        String envToken = env.get("ADMIN_TOKEN");
        boolean tokenFromFile = envToken == null || envToken.isBlank();
        Path tokenFile = dataDir.resolve("admin-token");
        boolean tokenGenerated = tokenFromFile && !java.nio.file.Files.exists(tokenFile);
        String token = tokenFromFile ? Secrets.readOrCreate(tokenFile) : envToken;
        String cursorSecret = Secrets.readOrCreate(dataDir.resolve("cursor-secret"));
        String secretKey = Secrets.readOrCreate(dataDir.resolve("secret-key"));
        String webhookKey = Secrets.readOrCreate(dataDir.resolve("webhook-key"), SecretBox::newKey);
        int kafkaPort = Integer.parseInt(env.getOrDefault("ADMIN_KAFKA_PORT", "0"));

        quietBrokerLogging();
        String external = env.get("ADMIN_KAFKA_BOOTSTRAP_SERVERS");
        EmbeddedKafkaBroker broker = external == null || external.isBlank()
                ? EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), kafkaPort) : null;
        String bootstrapServers = broker != null ? broker.bootstrapServers() : external;
        try {
            Map<String, Object> defaults = new HashMap<>(Services.DEFAULTS);
            defaults.put("admin.kafka.bootstrap-servers", bootstrapServers);
            if (broker != null) {
                // One embedded broker holds one copy; an external cluster gets the safe defaults (3 copies, 2 in sync).
                defaults.put("admin.kafka.replication-factor", "1");
                defaults.put("admin.kafka.min-insync-replicas", "1");
            }
            defaults.put("admin.auth.token", token);
            defaults.put("admin.auth.cursor-secret", cursorSecret);
            defaults.put("admin.auth.secret-key", secretKey);
            // Seed 003: remote management is off on a one-machine install until ADMIN_ALLOW_REMOTE=true.
            defaults.put("admin.allow-remote", "false");
            defaults.put("admin.processor.state-dir", dataDir.resolve("processor").toString());
            defaults.put("admin.query.read-model-url", "jdbc:sqlite:" + dataDir.resolve("read-model.db"));
            defaults.put("admin.query.audit-url", "jdbc:sqlite:" + dataDir.resolve("audit.db"));
            defaults.put("admin.audit.url", "jdbc:sqlite:" + dataDir.resolve("audit.db"));
            defaults.put("admin.webhooks.store-url", "jdbc:sqlite:" + dataDir.resolve("webhooks.db"));
            defaults.put("admin.webhooks.secret-key", webhookKey);
            // One machine: receivers on it are what a developer tries first. Production configures its own list.
            defaults.put("admin.webhooks.allowed-private-targets", "127.0.0.0/8,::1/128");
            SpringApplication app = new SpringApplication(StandaloneApplication.class);
            app.setDefaultProperties(defaults);
            // The broker must outlive the services, so shutdown order is ours (see close()).
            app.setRegisterShutdownHook(false);
            // ADMIN_TOKEN overrides any configured token: it is passed as the highest-precedence property source.
            ConfigurableApplicationContext context = app.run(tokenFromFile ? args : withArgument(args, "--admin.auth.token=" + token));
            Standalone standalone = new Standalone(broker, bootstrapServers, context, dataDir, token, tokenFromFile, tokenGenerated);
            standalone.awaitProcessor(Duration.ofSeconds(60));
            return standalone;
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /** {@code args} with {@code argument} in place of any other value of its property (Spring would join them). */
    private static String[] withArgument(String[] args, String argument) {
        String option = argument.substring(0, argument.indexOf('=') + 1);
        return java.util.stream.Stream.concat(java.util.Arrays.stream(args).filter(arg -> !arg.startsWith(option)),
                java.util.stream.Stream.of(argument)).toArray(String[]::new);
    }

    /** The broker starts before Spring configures logging, and its INFO output is very noisy. */
    private static void quietBrokerLogging() {
        for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }

    private void awaitProcessor(Duration timeout) {
        CommandProcessor processor = context.getBeanProvider(CommandProcessor.class).getIfAvailable();
        if (processor != null && !processor.awaitServing(timeout)) {
            System.err.println("The command processor is not serving after " + timeout.toSeconds() + " s; writes will wait.");
        } else if (processor != null && !processor.awaitReferencesCurrent(timeout)) {
            System.err.println("The processor's view of references is not current after " + timeout.toSeconds()
                    + " s; writes that refer to other resources answer 503 until it is.");
        }
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public String token() {
        return token;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    String banner() {
        String url = "http://localhost:" + port() + "/api/v1";
        // The secret is printed once, by the start that generated it; later starts say where it is.
        String tokenLine = !tokenFromFile ? "Admin token:  from ADMIN_TOKEN"
                : tokenGenerated ? "Admin token:  " + token + "   (generated now, shown this once; kept in " + dataDir.resolve("admin-token") + ")"
                : "Admin token:  in " + dataDir.resolve("admin-token");
        return "\nAdmin API:    " + url + "\n" + tokenLine + "\nData:         " + dataDir + "\nKafka:        "
                + bootstrapServers + "\nTry:          curl -H 'Authorization: Bearer <token>' " + url + "/tenants\n";
    }

    @Override
    public synchronized void close() {
        if (context.isActive()) {
            context.close();
            if (broker != null) {
                broker.close();
            }
        }
    }
}
