package io.asyncwatch.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node KRaft Kafka (combined broker and controller) running inside this JVM.
 *
 * <p>All data lives in one directory. The directory is formatted on first use only; starting again on the
 * same directory keeps the topics and records (ports may change between starts).
 *
 * <p>Ports are picked free just before each start and a start that loses the race for one is retried. One case
 * cannot be retried by default: Kafka treats a failure to bind the controller port as fatal and calls
 * {@code Exit.halt}, which ends the JVM. Fatal broker errors go the same way. Callers that must survive them
 * (tests) can install other procedures with {@code org.apache.kafka.common.utils.Exit}; this class leaves that
 * global setting alone.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    // Free ports are found by binding and releasing, so another process can grab one before the broker binds.
    private static final int START_ATTEMPTS = 5;

    /** Keys that define the node's identity and on-disk layout; overriding them would break restarts. */
    private static final Set<String> RESERVED_KEYS = Set.of(
            "process.roles", "node.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "listeners", "advertised.listeners", "controller.listener.names", "inter.broker.listener.name",
            "listener.security.protocol.map", "log.dirs", "log.dir", "metadata.log.dir");

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker whose data lives in {@code dataDir} (created if missing; formatted only if
     * {@code meta.properties} is absent). Blocks until it accepts connections.
     */
    public static EmbeddedKafka start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    /**
     * As {@link #start(Path)}, with broker settings applied on top of the single-node defaults. Settings that fix
     * the node's identity, listeners or directories are chosen here and cannot be overridden.
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> brokerOverrides) throws IOException {
        return start(dataDir, brokerOverrides, 0);
    }

    /**
     * As {@link #start(Path, Map)}, with the client listener on {@code brokerPort} ({@code 0}: any free port). A
     * fixed port lets clients that outlive the broker reconnect after a restart on the same directory.
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> brokerOverrides, int brokerPort)
            throws IOException {
        if (brokerPort < 0 || brokerPort > 65_535) {
            throw new IllegalArgumentException("broker port " + brokerPort + " is not between 0 and 65535");
        }
        for (String key : brokerOverrides.keySet()) {
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("broker setting '" + key
                        + "' is managed by EmbeddedKafka and cannot be overridden");
            }
        }
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        // The controller opens the metadata log before the broker takes the directory lock, so a second broker
        // on a busy directory would disturb the running one before failing; refuse it up front.
        ensureNotInUse(dir);
        if (brokerPort != 0 && !isFree(brokerPort)) {
            throw new IOException("could not start embedded Kafka broker: port " + brokerPort + " is in use");
        }

        RuntimeException lastFailure = null;
        int attempt = 0;
        while (attempt < START_ATTEMPTS) {
            attempt++;
            int[] ports = freePorts();
            int clientPort = brokerPort != 0 ? brokerPort : ports[0];
            int controllerPort = ports[1] != clientPort ? ports[1] : ports[0];
            KafkaConfig config = new KafkaConfig(brokerConfig(dir, clientPort, controllerPort, brokerOverrides), false);
            // Formatting is done once per directory: a second format would write a new cluster id, which the
            // existing metadata log refuses.
            if (!Files.exists(dir.resolve("meta.properties"))) {
                format(dir, config);
            }
            KafkaRaftServer server;
            try {
                server = new KafkaRaftServer(config, Time.SYSTEM);
            } catch (RuntimeException e) {
                throw new IOException("could not start embedded Kafka broker in " + dir + ": " + e, e);
            }
            try {
                server.startup();
                return new EmbeddedKafka(server, HOST + ":" + clientPort);
            } catch (RuntimeException e) {
                lastFailure = e;
                stopQuietly(server, e);
                if (brokerPort != 0 && !isFree(brokerPort)) {
                    throw new IOException("could not start embedded Kafka broker: port " + brokerPort
                            + " is in use", e);
                }
                if (!lostPortRace(e, clientPort, controllerPort)) {
                    break;
                }
            }
        }
        throw new IOException("could not start embedded Kafka broker in " + dir + " after " + attempt
                + (attempt == 1 ? " attempt: " : " attempts: ") + lastFailure, lastFailure);
    }

    /** The broker's address for clients, {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker and waits until it has shut down; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private static Map<String, Object> brokerConfig(Path dir, int brokerPort, int controllerPort,
                                                    Map<String, String> overrides) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // The controller port is part of the static voter list, so it must be known before startup.
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        // 127.0.0.1 rather than localhost: localhost may resolve to ::1 on one side and 127.0.0.1 on the other.
        props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("log.dirs", dir.toString());
        props.put("metadata.log.dir", dir.toString());

        // With one broker, the internal topics' default replication factor of 3 can never be met: transactions
        // and consumer groups then fail with INVALID_REPLICATION_FACTOR and retry for a minute.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Fewer internal partitions: creating 50 of each makes the first transaction / group join slow.
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.num.partitions", "1");
        // Nobody else will join, so waiting for more group members only adds latency.
        props.put("group.initial.rebalance.delay.ms", "0");
        // The default allocates 128 MiB up front, a lot for an in-process broker holding little compacted data;
        // 2 MiB is what Kafka's own test brokers use.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        // Retention is measured against record timestamps; replayed recordings carry old ones and would be
        // deleted within seconds of being appended.
        props.put("log.retention.ms", "-1");
        props.put("num.partitions", "1");
        // Topics are created on purpose, with their settings; a typo must not create a new topic silently.
        props.put("auto.create.topics.enable", "false");

        props.putAll(overrides);
        return props;
    }

    private static void format(Path dir, KafkaConfig config) throws IOException {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(dir.toString())
                    .run();
        } catch (Exception e) {
            throw new IOException("could not format embedded Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Two distinct ports that were free a moment ago (both held at once, so they cannot coincide). */
    private static int[] freePorts() throws IOException {
        InetAddress host = InetAddress.getByName(HOST);
        try (ServerSocket broker = new ServerSocket(0, 1, host);
             ServerSocket controller = new ServerSocket(0, 1, host)) {
            return new int[] {broker.getLocalPort(), controller.getLocalPort()};
        }
    }

    private static void ensureNotInUse(Path dir) throws IOException {
        Path lockFile = dir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IOException("embedded Kafka data directory " + dir + " is in use by another process");
            }
        } catch (OverlappingFileLockException e) {
            throw new IOException("embedded Kafka data directory " + dir
                    + " is in use by another broker in this JVM", e);
        }
    }

    private static boolean lostPortRace(Throwable e, int brokerPort, int controllerPort) throws IOException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        // A controller bind failure reaches us only through an intercepted Exit.halt, without the
        // BindException; a port still taken after our own server has stopped tells the same story.
        return !isFree(brokerPort) || !isFree(controllerPort);
    }

    private static boolean isFree(int port) throws IOException {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
            return true;
        } catch (BindException e) {
            return false;
        }
    }

    // A failed startup may leave threads, sockets and the directory lock behind; release them before retrying.
    private static void stopQuietly(KafkaRaftServer server, Exception cause) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
