package io.asyncwatch.run;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.errors.ContainedErrors;
import io.asyncwatch.state.BoundedRocksDb;
import io.asyncwatch.time.Watermarks;
import io.asyncwatch.topics.TopicLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs the asyncwatch topology against a Kafka cluster ({@code asyncwatch run}). Everything that is not an
 * {@code asyncwatch.*} key in the configuration is handed to Kafka Streams untouched, so security (SASL, SSL),
 * client tuning and the processing guarantee are configuration, not code.
 */
public final class StreamsRunner {

    public static final String DEFAULT_APPLICATION_ID = "asyncwatch";
    public static final String DEFAULT_PROCESSING_GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
    public static final int DEFAULT_STREAM_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    static final long STREAMS_RETRY_BACKOFF_MS = 10;
    static final int RESTORE_FETCH_MAX_WAIT_MS = 50;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final long ADMIN_TIMEOUT_SECONDS = 60;

    private StreamsRunner() {
    }

    /**
     * The Kafka Streams properties: our defaults ({@code application.id=asyncwatch},
     * {@code processing.guarantee=exactly_once_v2}), then every pass-through entry of the configuration as is.
     *
     * @throws IllegalArgumentException if {@code bootstrap.servers} is not set
     */
    public static Properties streamsProperties(AsyncwatchConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, DEFAULT_PROCESSING_GUARANTEE);
        // Decoding and judging events is CPU work (the broker round trips are not the bottleneck): one stream
        // thread per core by default, so every core works; num.stream.threads in the config overrides it.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(DEFAULT_STREAM_THREADS));
        // The detectors order events by their own per-partition watermarks, not by Streams' cross-partition
        // timestamp synchronisation, so a task need not wait for an empty input partition; waiting also costs a
        // log string per record on tasks with several input partitions (PartitionGroup.readyToProcess in 4.3).
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // The Kafka 5.0 default, set now so startup does not warn about it (there are no global stores).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.putAll(ContainedErrors.properties(config));
        p.putAll(config.kafka());
        if (!config.kafka().containsKey(StreamsConfig.RETRY_BACKOFF_MS_CONFIG)
                && !config.kafka().containsKey(StreamsConfig.CONSUMER_PREFIX + StreamsConfig.RETRY_BACKOFF_MS_CONFIG)
                && !config.kafka().containsKey(StreamsConfig.MAIN_CONSUMER_PREFIX
                        + StreamsConfig.RETRY_BACKOFF_MS_CONFIG)) {
            // Kafka Streams 4.3 sleeps retry.backoff.ms once per internal topic it creates (KAFKA-21033), which
            // was 3 of the first 4.5 s of a first start. The topic manager reads it from the main consumer's
            // configuration, so Streams and the main consumer get a short backoff (the consumer's grows
            // exponentially up to retry.backoff.max.ms); the other clients keep their default (prefixed keys win).
            p.put(StreamsConfig.RETRY_BACKOFF_MS_CONFIG, String.valueOf(STREAMS_RETRY_BACKOFF_MS));
            for (String prefix : List.of(StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX,
                    StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX)) {
                p.putIfAbsent(prefix + CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG,
                        String.valueOf(CommonClientConfigs.DEFAULT_RETRY_BACKOFF_MS));
            }
        }
        // Every store is changelogged, so each start reads its changelogs' ends before a task runs; on an empty or
        // caught-up changelog the restore consumer's fetch waits fetch.max.wait.ms (500 ms) for nothing, and the
        // tasks became ready in half-second steps. Only the restore consumer (restoration, standbys) is affected.
        if (!p.containsKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)
                && !p.containsKey(StreamsConfig.CONSUMER_PREFIX + ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)
                && !p.containsKey(StreamsConfig.RESTORE_CONSUMER_PREFIX + ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)) {
            p.put(StreamsConfig.RESTORE_CONSUMER_PREFIX + ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                    String.valueOf(RESTORE_FETCH_MAX_WAIT_MS));
        }
        // Static membership: an instance restarted after a crash takes its tasks back at once instead of waiting
        // for the dead member's session to time out (45 s). The name must differ between instances.
        if (!p.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-"
                    + instanceName(config));
        }
        String bootstrap = p.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers is not set: put bootstrap.servers=HOST:PORT in the"
                    + " config file or set KAFKA_BOOTSTRAP_SERVERS");
        }
        return p;
    }

    /** {@code asyncwatch.instance.name}, or the host name: what tells this instance from the others. */
    static String instanceName(AsyncwatchConfig config) {
        if (!config.instanceName().isEmpty()) {
            return config.instanceName();
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host;
    }

    /**
     * Admin client settings derived from the Streams properties (security settings included, {@code admin.}
     * prefixed overrides applied), without the Streams-only keys the admin client would warn about.
     */
    public static Properties adminProperties(AsyncwatchConfig config) {
        Properties streams = streamsProperties(config);
        Map<String, Object> admin = new StreamsConfig(streams).getAdminConfigs(
                streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-admin");
        Properties p = new Properties();
        p.putAll(admin);
        return p;
    }

    /**
     * A plain consumer of asyncwatch's topics outside Streams (record, standup, dashboards): the cluster and security
     * settings of the Streams properties, no group (partitions are assigned), no commits, committed data only, raw
     * bytes.
     */
    public static Properties consumerProperties(AsyncwatchConfig config, String clientId) {
        Properties streams = streamsProperties(config);
        Map<String, Object> consumer = new StreamsConfig(streams).getGlobalConsumerConfigs(clientId);
        Properties p = new Properties();
        p.putAll(consumer);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        return p;
    }

    /**
     * Creates the external topics of {@link TopicLayout#plans} that do not exist yet, with their partitions and
     * configs and the broker's default replication factor. Existing topics are left as they are.
     */
    public static void createTopics(Admin admin, AsyncwatchConfig config) {
        List<NewTopic> wanted = new ArrayList<>();
        for (TopicLayout.TopicPlan plan : TopicLayout.plans(config)) {
            wanted.add(new NewTopic(plan.name(), Optional.of(plan.partitions()), Optional.empty())
                    .configs(plan.configs()));
        }
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list topics: " + rootMessage(e), e);
        }
        List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        if (missing.isEmpty()) {
            return;
        }
        CreateTopicsResult result = admin.createTopics(missing);
        for (NewTopic t : missing) {
            try {
                result.values().get(t.name()).get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + t.name() + ": " + rootMessage(e), e);
                }
                // Created meanwhile by someone else: fine, existing topics are left alone.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + t.name(), e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic " + t.name() + ": " + rootMessage(e), e);
            }
        }
    }

    /**
     * Runs until the Streams client stops: after Ctrl-C (a shutdown hook closes it) or a fatal error.
     *
     * @return 0 after a clean shutdown, 1 after an error
     */
    public static int run(AsyncwatchConfig config, boolean createTopics, PrintStream err) {
        Properties props = streamsProperties(config);
        if (createTopics) {
            try (Admin admin = Admin.create(adminProperties(config))) {
                createTopics(admin, config);
            }
            err.println("asyncwatch: topics ready: " + TopicLayout.plans(config).stream()
                    .map(TopicLayout.TopicPlan::name).toList());
        }

        expectUpstreamPartitions(props, config);
        int wiped = wipeUncleanTaskState(props);
        if (wiped > 0) {
            err.println("asyncwatch: the previous run did not stop cleanly: the local state of " + wiped + " task"
                    + (wiped == 1 ? "" : "s") + " may hold uncommitted writes; wiped before start, restored from the"
                    + " changelog topics");
        }
        BoundedRocksDb.Budget rocksDb = boundRocksDb(props, config);
        KafkaStreams streams = new KafkaStreams(AsyncwatchTopology.build(config), props);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(uncaughtHandler(err, failed, fatal));
        streams.setStateListener((now, before) -> {
            err.println("asyncwatch: " + before + " -> " + now);
            if (now == KafkaStreams.State.ERROR) {
                failed.set(true);
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });

        CountDownLatch reported = new CountDownLatch(1);
        AtomicInteger exitStatus = new AtomicInteger(1);
        Thread hook = new Thread(() -> {
            err.println("asyncwatch: shutting down");
            streams.close(CLOSE_TIMEOUT);
            stopped.countDown();
            try {
                // Let run() say how it ended before the JVM exits.
                if (reported.await(CLOSE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
                    err.flush();
                    // A stop asked for (SIGTERM, Ctrl-C) that ended cleanly is a success: without this the JVM
                    // reports the signal (143) whatever happened.
                    Runtime.getRuntime().halt(exitStatus.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "asyncwatch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        io.asyncwatch.dashboard.Dashboard dashboard = null;
        io.asyncwatch.alertmanager.AlertmanagerSink alertmanager = null;
        try {
            err.println("asyncwatch: starting application '" + props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)
                    + "' on " + props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + " ("
                    + props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG) + "); Ctrl-C stops it");
            streams.start();
            // Its own consumer and threads: reading for the page takes nothing from detection.
            dashboard = io.asyncwatch.dashboard.Dashboard.startIfEnabled(config, streams::metrics, null, err);
            alertmanager = io.asyncwatch.alertmanager.AlertmanagerSink.startIfEnabled(config,
                    dashboard == null ? null : dashboard.url(), err);
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.set(true);
        } catch (RuntimeException e) {
            err.println("asyncwatch: could not start: " + e);
            failed.set(true);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running and closes the client.
            }
            if (dashboard != null) {
                dashboard.close();
            }
            if (alertmanager != null) {
                alertmanager.close();
            }
            if (streams.close(CLOSE_TIMEOUT) && !failed.get()) {
                markCleanStop(props);
            }
            if (rocksDb != null) {
                rocksDb.close();
            }
        }
        try {
            if (failed.get()) {
                Throwable t = fatal.get();
                err.println("asyncwatch: stopped after an error" + (t == null ? "" : ": " + rootMessage(t)));
                return 1;
            }
            err.println("asyncwatch: stopped");
            exitStatus.set(0);
            return 0;
        } finally {
            reported.countDown();
        }
    }

    /**
     * Tells the stages after a re-key how many upstream tasks to wait for ({@link Watermarks#EXPECTED_SOURCES}: the
     * partitions of the requests topic), so that none of them judges on the ticks of the tasks that happened to
     * start first.
     *
     * @throws IllegalStateException if the requests topic cannot be described (Kafka Streams could not read it
     *                               either)
     */
    public static void expectUpstreamPartitions(Properties props, AsyncwatchConfig config) {
        if (props.containsKey(Watermarks.EXPECTED_SOURCES)) {
            return;
        }
        String topic = config.topics().requests();
        try (Admin admin = Admin.create(adminProperties(config))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().size();
            props.put(Watermarks.EXPECTED_SOURCES, Integer.toString(partitions));
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe the requests topic " + topic + " (create it, or run with"
                    + " --create-topics): " + rootMessage(e), e);
        }
    }

    /**
     * Puts every RocksDB store of the process (the alert episodes; the traces with {@code state.in-memory=false})
     * under one memory budget ({@code asyncwatch.state.rocksdb-memory-mb}), unless the configuration names its own
     * {@code rocksdb.config.setter}.
     *
     * @return the budget to close after the Streams client, or {@code null}
     */
    public static BoundedRocksDb.Budget boundRocksDb(Properties props, AsyncwatchConfig config) {
        if (props.containsKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) {
            return null;
        }
        BoundedRocksDb.Budget budget = new BoundedRocksDb.Budget(config.rocksDbMemoryMb() * 1024L * 1024L);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        props.put(BoundedRocksDb.BUDGET, budget);
        return budget;
    }

    /** In the application's state directory while {@code run} is running; a clean stop removes it. */
    static final String RUNNING_MARKER = "asyncwatch.running";

    /**
     * Under exactly-once, local state left by a run that did not stop cleanly (it was killed) may hold uncommitted
     * writes: Kafka Streams finds that only once each task is assigned, then wipes it, closes the task and
     * rebalances again. {@code run} leaves a marker while it runs ({@link #RUNNING_MARKER}, removed after a clean
     * close); found at start, it wipes the task directories before Kafka Streams starts, which gives the same state
     * without that second round. The process id (which keeps the transactional ids, so the killed instance's open
     * transactions are aborted at once) and a directory in use by another process are left alone; after a clean
     * stop nothing is wiped.
     *
     * @return the number of task directories wiped
     */
    static int wipeUncleanTaskState(Properties props) {
        StreamsConfig streamsConfig = new StreamsConfig(props);
        Path appDir = applicationStateDir(streamsConfig);
        if (!streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG).startsWith("exactly_once")) {
            return 0;
        }
        try {
            Files.createDirectories(appDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the state directory " + appDir + ": " + e, e);
        }
        // The lock Kafka Streams itself takes on the application's state directory.
        try (FileChannel channel = FileChannel.open(appDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return 0;
            }
            Path marker = appDir.resolve(RUNNING_MARKER);
            int wiped = 0;
            if (Files.exists(marker)) {
                try (DirectoryStream<Path> tasks = Files.newDirectoryStream(appDir, "[0-9]*_[0-9]*")) {
                    for (Path task : tasks) {
                        if (Files.isDirectory(task) && hasState(task)) {
                            deleteRecursively(task);
                            wiped++;
                        }
                    }
                }
            }
            Files.writeString(marker, "a run of asyncwatch uses this state; a clean stop removes this file\n");
            return wiped;
        } catch (OverlappingFileLockException inUse) {
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot inspect the state directory " + appDir + ": " + e, e);
        }
    }

    /** After a clean close: the next start keeps the state. */
    static void markCleanStop(Properties props) {
        try {
            Files.deleteIfExists(applicationStateDir(new StreamsConfig(props)).resolve(RUNNING_MARKER));
        } catch (IOException e) {
            // The next start then restores from the changelog: slower, not wrong.
        }
    }

    private static Path applicationStateDir(StreamsConfig streamsConfig) {
        return Path.of(streamsConfig.getString(StreamsConfig.STATE_DIR_CONFIG),
                streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    private static boolean hasState(Path task) throws IOException {
        try (Stream<Path> entries = Files.list(task)) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith("."));
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static StreamsUncaughtExceptionHandler uncaughtHandler(PrintStream err, AtomicBoolean failed,
                                                                   AtomicReference<Throwable> fatal) {
        return e -> {
            failed.set(true);
            fatal.compareAndSet(null, e);
            err.println("asyncwatch: fatal error in a stream thread, shutting down: " + e);
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                err.println("  caused by: " + c);
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        };
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }
}
