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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

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
 *
 * <p>Optionally the broker also listens for clients on a SASL_SSL listener ({@link SaslSslListener}), so that
 * secured clients can be tested without an external cluster. The PLAINTEXT listener stays, for the broker itself
 * and for tests that do not care about security.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String SASL_SSL_LISTENER = "SASL_SSL";
    // Free ports are found by binding and releasing, so another process can grab one before the broker binds.
    private static final int START_ATTEMPTS = 5;

    /** Keys that define the node's identity and on-disk layout; overriding them would break restarts. */
    private static final Set<String> RESERVED_KEYS = Set.of(
            "process.roles", "node.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "listeners", "advertised.listeners", "controller.listener.names", "inter.broker.listener.name",
            "listener.security.protocol.map", "log.dirs", "log.dir", "metadata.log.dir");

    // JAAS syntax: an option name is a bare word; its value is quoted, a quote ends it and a backslash escapes.
    private static final Pattern JAAS_WORD = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern JAAS_QUOTABLE = Pattern.compile("[^\"\\\\\\r\\n]*");

    /**
     * A client listener secured with TLS and SASL/PLAIN. The broker's key and certificate are in the PKCS12
     * {@code keystore}, whose password is {@code keystorePassword} (PKCS12 has one password for store and key).
     * The certificate must name 127.0.0.1 (a SAN {@code ip:127.0.0.1}): clients verify the host name by default.
     * {@code plainUsers} maps each user name to its password; any authenticated user may do anything (no ACLs).
     */
    public record SaslSslListener(Path keystore, String keystorePassword, Map<String, String> plainUsers) {
        public SaslSslListener {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(keystorePassword, "keystorePassword");
            plainUsers = Map.copyOf(plainUsers);
            if (plainUsers.isEmpty()) {
                throw new IllegalArgumentException("a SASL/PLAIN listener needs at least one user");
            }
            // The users end up in a JAAS configuration string; refuse what it could not hold instead of escaping.
            plainUsers.forEach((user, password) -> {
                if (!JAAS_WORD.matcher(user).matches() || !JAAS_QUOTABLE.matcher(password).matches()) {
                    throw new IllegalArgumentException("SASL/PLAIN user '" + user + "': names are letters, digits,"
                            + " '_' and '-'; passwords cannot contain '\"', '\\' or line breaks");
                }
            });
        }
    }

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String saslSslBootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, String saslSslBootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.saslSslBootstrapServers = saslSslBootstrapServers;
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
        return start(dataDir, brokerOverrides, 0, null);
    }

    /**
     * As {@link #start(Path, Map)}, with the client listener on {@code brokerPort} ({@code 0}: any free port). A
     * fixed port lets clients that outlive the broker reconnect after a restart on the same directory.
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> brokerOverrides, int brokerPort)
            throws IOException {
        return start(dataDir, brokerOverrides, brokerPort, null);
    }

    /**
     * As {@link #start(Path, Map)}, with an additional client listener secured as {@code saslSsl} says (none if
     * {@code null}); its address is {@link #saslSslBootstrapServers()}. Overrides are applied last, so
     * {@code listener.name.sasl_ssl.*} keys can refine it (e.g. {@code ssl.client.auth}).
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> brokerOverrides, SaslSslListener saslSsl)
            throws IOException {
        return start(dataDir, brokerOverrides, 0, saslSsl);
    }

    private static EmbeddedKafka start(Path dataDir, Map<String, String> brokerOverrides, int brokerPort,
                                       SaslSslListener saslSsl) throws IOException {
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
            int[] ports = freePorts(saslSsl == null ? 3 : 4);
            // ports[0] goes unused when the client port is fixed.
            int clientPort = brokerPort != 0 ? brokerPort : ports[0];
            int controllerPort = ports[1];
            int saslPort = ports[2];
            Map<String, Object> props = brokerConfig(dir, clientPort, controllerPort);
            if (saslSsl != null) {
                addSaslSslListener(props, saslPort, saslSsl);
            }
            props.putAll(brokerOverrides);
            KafkaConfig config = new KafkaConfig(props, false);
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
                return new EmbeddedKafka(server, HOST + ":" + clientPort,
                        saslSsl == null ? null : HOST + ":" + saslPort);
            } catch (RuntimeException e) {
                lastFailure = e;
                stopQuietly(server, e);
                if (brokerPort != 0 && !isFree(brokerPort)) {
                    throw new IOException("could not start embedded Kafka broker: port " + brokerPort
                            + " is in use", e);
                }
                int[] used = saslSsl == null ? new int[] {clientPort, controllerPort}
                        : new int[] {clientPort, controllerPort, saslPort};
                if (!lostPortRace(e, used)) {
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

    /**
     * The SASL_SSL listener's address, {@code 127.0.0.1:PORT}.
     *
     * @throws IllegalStateException if the broker was started without one
     */
    public String saslSslBootstrapServers() {
        if (saslSslBootstrapServers == null) {
            throw new IllegalStateException("this broker was started without a SASL_SSL listener");
        }
        return saslSslBootstrapServers;
    }

    /** Stops the broker and waits until it has shut down; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private static Map<String, Object> brokerConfig(Path dir, int brokerPort, int controllerPort) {
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
        return props;
    }

    /**
     * Adds the SASL_SSL client listener. Everything is scoped to it with {@code listener.name.sasl_ssl.}: the
     * other listeners stay PLAINTEXT, and the JAAS configuration is a broker setting, not a JVM-wide file.
     */
    private static void addSaslSslListener(Map<String, Object> props, int port, SaslSslListener l) {
        String endpoint = SASL_SSL_LISTENER + "://" + HOST + ":" + port;
        props.put("listeners", props.get("listeners") + "," + endpoint);
        props.put("advertised.listeners", props.get("advertised.listeners") + "," + endpoint);
        props.put("listener.security.protocol.map",
                props.get("listener.security.protocol.map") + "," + SASL_SSL_LISTENER + ":SASL_SSL");
        String prefix = "listener.name." + SASL_SSL_LISTENER.toLowerCase(Locale.ROOT) + ".";
        props.put(prefix + "ssl.keystore.type", "PKCS12");
        props.put(prefix + "ssl.keystore.location", l.keystore().toAbsolutePath().toString());
        props.put(prefix + "ssl.keystore.password", l.keystorePassword());
        // The broker default is GSSAPI (Kerberos).
        props.put(prefix + "sasl.enabled.mechanisms", "PLAIN");
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        // Sorted, so the broker configuration does not vary from start to start.
        new TreeMap<>(l.plainUsers()).forEach((user, password) ->
                jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        props.put(prefix + "plain.sasl.jaas.config", jaas.append(';').toString());
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

    /** {@code count} distinct ports that were free a moment ago (all held at once, so they cannot coincide). */
    private static int[] freePorts(int count) throws IOException {
        InetAddress host = InetAddress.getByName(HOST);
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, host);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
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

    private static boolean lostPortRace(Throwable e, int[] ports) throws IOException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        // A controller bind failure reaches us only through an intercepted Exit.halt, without the
        // BindException; a port still taken after our own server has stopped tells the same story.
        for (int port : ports) {
            if (!isFree(port)) {
                return true;
            }
        }
        return false;
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
