package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.state.BoundedRocksDb;
import io.asyncwatch.run.StreamsRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The embedded single-node broker of {@code demo} and {@code bench}, with a temp directory for its data (unless a
 * data directory is given) and for the Streams state directories, and the configuration pointed at it.
 * {@link #close()} stops the broker, then deletes the temp directory; close every client first.
 */
final class DemoBroker implements AutoCloseable {

    private final Path tempRoot;
    private final EmbeddedKafka broker;
    private final AsyncwatchConfig config;
    private final double startSeconds;
    private final PrintStream err;
    /** RocksDB memory budgets of the applications started here, closed after them. */
    private final List<BoundedRocksDb.Budget> budgets = new ArrayList<>();

    private DemoBroker(Path tempRoot, EmbeddedKafka broker, AsyncwatchConfig config, double startSeconds,
                       PrintStream err) {
        this.tempRoot = tempRoot;
        this.broker = broker;
        this.config = config;
        this.startSeconds = startSeconds;
        this.err = err;
    }

    /**
     * Starts the broker; its data goes to {@code dataDir} (kept) or, when that is {@code null}, to the temp
     * directory. {@code command} prefixes the progress lines on {@code err}.
     */
    static DemoBroker start(AsyncwatchConfig config, Path dataDir, String command, PrintStream err)
            throws IOException {
        return start(config, dataDir, 0, command, err);
    }

    /** As {@link #start(AsyncwatchConfig, Path, String, PrintStream)}, on a fixed client port (0: any). */
    static DemoBroker start(AsyncwatchConfig config, Path dataDir, int port, String command, PrintStream err)
            throws IOException {
        long t0 = System.nanoTime();
        Path tempRoot = Files.createTempDirectory("asyncwatch-" + command + "-");
        Path brokerDir = dataDir != null ? dataDir : tempRoot.resolve("kafka");
        err.println(command + ": starting Kafka (single-node KRaft, in-process) in " + brokerDir);
        EmbeddedKafka broker;
        try {
            broker = EmbeddedKafka.start(brokerDir, Map.of(), port);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tempRoot, err);
            throw e;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        err.printf("%s: broker up at %s in %.1f s%n", command, broker.bootstrapServers(), seconds);
        AsyncwatchConfig onBroker = config.withKafka(
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        return new DemoBroker(tempRoot, broker, onBroker, seconds, err);
    }

    /** The configuration given to {@link #start}, pointed at this broker. */
    AsyncwatchConfig config() {
        return config;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    double startSeconds() {
        return startSeconds;
    }

    /**
     * Streams properties for an application on this broker: the configured ones, then exactly-once v2, the given
     * application id, and a state directory of its own in the temp directory.
     */
    Properties streamsProperties(String applicationId) {
        Properties props = StreamsRunner.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, tempRoot.resolve("streams-" + applicationId).toString());
        StreamsRunner.expectUpstreamPartitions(props, config);
        BoundedRocksDb.Budget budget = StreamsRunner.boundRocksDb(props, config);
        if (budget != null) {
            budgets.add(budget);
        }
        return props;
    }

    @Override
    public void close() {
        budgets.forEach(BoundedRocksDb.Budget::close);
        // The broker before its directory.
        broker.close();
        deleteRecursively(tempRoot, err);
    }

    /** Deletes {@code root} and everything below it; a failure is reported on {@code err}, not thrown. */
    static void deleteRecursively(Path root, PrintStream err) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            err.println("asyncwatch: could not delete " + root + ": " + e);
        }
    }
}
