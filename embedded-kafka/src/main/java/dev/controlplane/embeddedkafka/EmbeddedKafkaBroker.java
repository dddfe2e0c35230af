package dev.controlplane.embeddedkafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker from the Apache Kafka server artifacts. Its log directory is formatted on first
 * start and reused afterwards, so topics and their data survive a restart.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker whose data lives in {@code logDir}.
     *
     * @param port the client port; 0 picks a free one
     */
    public static EmbeddedKafkaBroker start(Path logDir, int port) {
        int brokerPort = port == 0 ? freePort() : port;
        // The controller needs a fixed port: static voters cannot name port 0.
        int controllerPort = freePort();
        return startNode(logDir, 1, "1@127.0.0.1:" + controllerPort, brokerPort, controllerPort, 1, Uuid.randomUuid().toString());
    }

    /**
     * Starts one node of a KRaft cluster, controller and broker in one process, as each node of a small cluster runs.
     *
     * @param voters      every controller of the cluster, {@code id@host:port,…}
     * @param replication copies of Kafka's own topics (offsets, transactions): the cluster's size, at most 3
     * @param clusterId   the same for every node; used when this node's storage is formatted
     */
    public static EmbeddedKafkaBroker startNode(Path logDir, int nodeId, String voters, int brokerPort, int controllerPort,
                                                int replication, String clusterId) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        String copies = String.valueOf(replication);
        String inSync = String.valueOf(Math.max(1, replication - 1));
        props.put("offsets.topic.replication.factor", copies);
        props.put("transaction.state.log.replication.factor", copies);
        props.put("transaction.state.log.min.isr", inSync);
        props.put("default.replication.factor", copies);
        props.put("min.insync.replicas", inSync);
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        // A single member joins at once; the default 3 s delay only slows every start.
        props.put("group.initial.rebalance.delay.ms", "0");
        // 128 MiB of the default heap is the cleaner's dedupe buffer; 8 MiB is plenty for compacted state here.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        // A restart after a crash waits out the session timeout of the previous incarnation.
        props.put("broker.session.timeout.ms", "2000");
        props.put("broker.heartbeat.interval.ms", "500");
        if (replication > 1) {
            // A restarted node takes its partitions back as leader, so a second fault meets a balanced cluster.
            props.put("leader.imbalance.check.interval.seconds", "5");
            props.put("unclean.leader.election.enable", "false");
        }
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        try {
            format(logDir, config, nodeId, clusterId);
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + logDir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            // Otherwise controller threads keep the JVM alive for minutes.
            server.shutdown();
            server.awaitShutdown();
            throw e;
        }
        String bootstrap = "127.0.0.1:" + brokerPort;
        log.info("Kafka node {} started on {} with data in {}", nodeId, bootstrap, logDir.toAbsolutePath());
        return new EmbeddedKafkaBroker(server, bootstrap);
    }

    /**
     * Runs one cluster node as a process of its own until it is killed:
     * {@code <logDir> <nodeId> <voters> <brokerPort> <controllerPort> <replication> <clusterId>}.
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker node = startNode(Path.of(args[0]), Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]), args[6]);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        // A node started by another process (a test) ends with it, even if that process was killed.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(1)));
        Thread.currentThread().join();
    }

    private static void format(Path logDir, KafkaConfig config, int nodeId, String clusterId) throws Exception {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        Files.createDirectories(logDir);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(clusterId)
                .setNodeId(nodeId)
                .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                .run();
        log.debug("formatted {} with {}", logDir, config.nodeId());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        log.info("Embedded Kafka broker stopped");
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
