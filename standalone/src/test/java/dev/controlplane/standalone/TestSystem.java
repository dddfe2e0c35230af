package dev.controlplane.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The whole system for integration tests: one shared instance per test JVM, on a fresh data directory. With a
 * Docker engine the broker is a Testcontainers Kafka; without one (as on the build machines) it is the embedded
 * KRaft broker. Either way it is a real broker.
 */
final class TestSystem {

    static final String TOKEN = "test-admin-token";
    /** The license issuer the shared system trusts; tests sign licenses with its private key. */
    static final KeyPair LICENSE_ISSUER = licenseIssuer();
    /** Webhook retries in tests: the default schedule's six attempts, compressed to fractions of a second. */
    static final String COMPRESSED_RETRY_SCHEDULE = "0ms,100ms,100ms,100ms,100ms,100ms";
    /** A subscription failing without a success for this long is disabled (5 days by default). */
    static final String WEBHOOK_DISABLE_AFTER = "3s";
    /** The identity provider the shared system trusts for JWTs. */
    static final JwtIssuer JWT = new JwtIssuer();
    /** Failed and denied calls are audited per address and window; the shared system uses short windows. */
    static final String SECURITY_EVENT_WINDOW = "2s";
    private static Standalone shared;
    private static KafkaContainer container;

    private TestSystem() {
    }

    static synchronized Standalone shared() {
        if (shared == null) {
            shared = start(newDataDir());
            withMainCluster(shared);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shared.close();
                if (container != null) {
                    container.stop();
                }
            }));
        }
        return shared;
    }

    /** Tenants and access policies refer to a cluster; most tests use the one named "main". */
    static Standalone withMainCluster(Standalone system) {
        int status = Api.of(system).post("/api/v1/clusters", "{\"name\":\"main\",\"kind\":\"metrics\"}").status();
        if (status != 201 && status != 409) {
            throw new IllegalStateException("could not create cluster main: " + status);
        }
        return system;
    }

    /** The cursor key the system generated: another instance serving the same API must be given the same. */
    static String cursorSecret(Standalone system) {
        try {
            return Files.readString(system.dataDir().resolve("cursor-secret")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path newDataDir() {
        try {
            // Not deleted at exit like TestDirs: with that, the suite's fork (every test passed) ended with exit code 254
            // in a fresh-clone run; the brokers' logs of a whole suite are large.
            return Files.createTempDirectory("admin-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A system of its own on {@code dataDir}, always on the embedded broker so that its data can survive a restart. */
    static Standalone start(Path dataDir, String... args) {
        return Standalone.start(env(dataDir), withRandomPort(args));
    }

    private static Map<String, String> env(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_DATA_DIR", dataDir.toString());
        env.put("ADMIN_TOKEN", TOKEN);
        return env;
    }

    private static Standalone start(Path dataDir) {
        Map<String, String> env = env(dataDir);
        if (dockerAvailable()) {
            container = new KafkaContainer("apache/kafka:4.1.0");
            container.start();
            env.put("ADMIN_KAFKA_BOOTSTRAP_SERVERS", container.getBootstrapServers());
        }
        List<String> args = new ArrayList<>(List.of("--admin.licenses.public-key="
                + Base64.getEncoder().encodeToString(LICENSE_ISSUER.getPublic().getEncoded()),
                "--admin.webhooks.retry-schedule=" + COMPRESSED_RETRY_SCHEDULE, "--admin.webhooks.jitter=0",
                "--admin.webhooks.attempt-timeout=3s", "--admin.webhooks.disable-after=" + WEBHOOK_DISABLE_AFTER,
                // Every test calls from 127.0.0.1 and many send bad tokens on purpose: the lockout is tested on a
                // system of its own (LockoutAndRateLimitIT), not here where it would lock every later test out.
                "--admin.access.max-failed-auth=1000000",
                "--admin.access.security-event-window=" + SECURITY_EVENT_WINDOW,
                // Records which headers the code reads, for OpenApiContractIT.
                "--spring.main.sources=" + HeaderReads.class.getName()));
        args.addAll(List.of(JWT.properties()));
        return Standalone.start(env, withRandomPort(args.toArray(String[]::new)));
    }

    private static KeyPair licenseIssuer() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    private static String[] withRandomPort(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--server.port=0";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
