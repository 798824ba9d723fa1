package dev.ragline.ingestion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM, from the
 * Kafka broker jar. It is the service's zero-setup default and what the integration tests talk to.
 * Every listener binds to 127.0.0.1; every replication factor is 1.
 *
 * <p>With a data directory the log survives restarts (the storage is formatted once, with a random cluster
 * id, and reused afterwards); {@link #startTemporary()} uses a temporary directory deleted on {@link #close()}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    /** Picked-free ports can be taken by someone else before the broker binds them: try a few times. */
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final Admin admin;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean temporary, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** A broker on a free port with a temporary data directory: for tests and demos. */
    public static EmbeddedKafkaBroker startTemporary() {
        try {
            return start(Files.createTempDirectory("ragline-kafka-"), 0, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
        }
    }

    /**
     * A broker whose log lives in {@code dataDir} (created and formatted on first use, reused afterwards).
     *
     * @param port the client port on 127.0.0.1, or 0 for a free one (see {@link #port()})
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, false);
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, boolean temporary) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        long started = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().resolve("kafka-logs");
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int brokerPort = port != 0 ? port : freePort();
            int controllerPort = freePort();
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(logDir, brokerPort, controllerPort));
            KafkaRaftServer server = null;
            EmbeddedKafkaBroker broker = null;
            try {
                Files.createDirectories(logDir);
                formatIfNeeded(config, logDir);
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                broker = new EmbeddedKafkaBroker(server, dataDir, temporary, brokerPort);
                broker.awaitReady(Duration.ofSeconds(30));
                LOG.info("Embedded Kafka broker ready at {} (data {}) in {} ms", broker.bootstrapServers(), logDir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return broker;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare Kafka data directory " + logDir, e);
            } catch (RuntimeException e) {
                last = e;
                if (broker != null) broker.admin.close(Duration.ofSeconds(1));
                if (server != null) shutdownQuietly(server);
                if (port != 0) break; // a configured port that is taken will not become free by retrying
                LOG.warn("Embedded Kafka broker failed to start (attempt {}): {}", attempt, e.toString());
            }
        }
        if (temporary) deleteRecursively(dataDir);
        throw new IllegalStateException("embedded Kafka broker did not start (data " + logDir + ")", last);
    }

    private static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static single-voter quorum: the controller port may change between restarts of a persistent broker.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        // One node: every replication factor and in-sync minimum is 1.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Small internal topics and no join delay: quicker start and first consumer-group join.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        // Sized for a small in-process broker: a few threads, a small log-cleaner buffer.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    /** Formats the storage with a random cluster id unless it was formatted by an earlier run. */
    private static void formatIfNeeded(KafkaConfig config, Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) return;
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setDirectories(List.of(logDir.toString()))
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker did not answer within " + timeout, e);
        }
    }

    /** {@code 127.0.0.1:<port>}, for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The port clients connect to (the configured one, or the free one picked for port 0). */
    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates a topic with replication factor 1; an existing topic is left as it is. */
    public void createTopic(String name, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** Stops the broker (and deletes its data directory when it was temporary). */
    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        shutdownQuietly(server);
        if (temporary) deleteRecursively(dataDir);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka broker did not shut down cleanly", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }
}
