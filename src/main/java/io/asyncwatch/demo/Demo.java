package io.asyncwatch.demo;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * {@code asyncwatch demo}: a real single-node Kafka broker in this JVM, the production topology on it with
 * exactly-once processing, and the {@link TrafficGenerator}'s demo plan (an hour of normal traffic, then a retry
 * storm on svc-order that escalates and dies down) fed in as fast as the broker takes it. Alerts are printed to
 * stdout as they arrive on the alerts topic; progress and logs go to stderr.
 *
 * <p>The demo ends by itself once the storm's RESOLVED alert has arrived (or after {@link #ALERT_DEADLINE}).
 * With {@code --data-dir} the broker's data is kept between runs; each run then uses a new application id that
 * starts after the input already there, so earlier runs neither replay nor make this run's traffic late.
 */
public final class Demo {

    static final String STORM_SERVICE = "svc-order";
    static final long SEED = 42;
    static final Duration ALERT_DEADLINE = Duration.ofSeconds(120);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration HOOK_WAIT = Duration.ofSeconds(60);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private Demo() {
    }

    public static int run(AsyncwatchConfig config, boolean keepRunning, Path dataDir, PrintStream out,
                          PrintStream err) {
        long wallStart = System.nanoTime();
        CtrlC stop = new CtrlC("asyncwatch-demo-shutdown", HOOK_WAIT);

        Path tempRoot = null;
        EmbeddedKafka broker = null;
        KafkaStreams streams = null;
        AlertWatcher watcher = null;
        try {
            tempRoot = Files.createTempDirectory("asyncwatch-demo-");
            Path brokerDir = dataDir != null ? dataDir : tempRoot.resolve("kafka");
            err.println("demo: starting Kafka (single-node KRaft, in-process) in " + brokerDir);
            broker = EmbeddedKafka.start(brokerDir);
            long brokerUpNanos = System.nanoTime() - wallStart;
            AsyncwatchConfig cfg = onBroker(config, broker);
            err.printf("demo: broker up at %s in %.1f s%n", broker.bootstrapServers(), brokerUpNanos / 1e9);

            Map<String, Integer> partitions = createTopics(cfg);

            Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(80, ChronoUnit.MINUTES);
            TrafficGenerator.Plan plan = TrafficGenerator.demoPlan(start.toEpochMilli(), SEED);
            // A kept data directory may hold an earlier run's application, whose stream time is ahead of this
            // run's traffic; a fresh application id per run keeps every run independent.
            String applicationId = dataDir == null ? "asyncwatch-demo"
                    : "asyncwatch-demo-" + System.currentTimeMillis();

            if (dataDir != null) {
                // The kept directory may hold earlier runs' input: this run's application starts after it.
                startAtEnd(cfg, applicationId, partitions);
            }
            watcher = AlertWatcher.start(cfg, partitions, out, STORM_SERVICE);

            ErrorTracker errors = new ErrorTracker();
            Properties props = streamsProperties(cfg, applicationId, tempRoot.resolve("streams"));
            streams = new KafkaStreams(AsyncwatchTopology.build(cfg), props);
            errors.attach(streams, err);
            streams.start();
            err.println("demo: asyncwatch started (application.id " + applicationId + ", exactly_once_v2)");

            long produced = produce(cfg, plan, stop, err);
            if (stop.requested()) {
                err.println("demo: interrupted");
                return keepRunning ? 0 : 1;
            }

            long deadline = System.nanoTime() + ALERT_DEADLINE.toNanos();
            while (!watcher.resolved.await(200, TimeUnit.MILLISECONDS)) {
                if (stop.requested()) {
                    err.println("demo: interrupted");
                    return keepRunning ? 0 : 1;
                }
                if (errors.failed()) {
                    err.println("demo: asyncwatch stopped with an error: " + errors.describe());
                    return 1;
                }
                if (watcher.failure.get() != null) {
                    err.println("demo: reading the alerts topic failed: " + watcher.failure.get());
                    return 1;
                }
                if (System.nanoTime() > deadline) {
                    out.println();
                    out.println("demo: FAILED: no RESOLVED " + AlertType.RETRY_STORM + " alert for " + STORM_SERVICE
                            + " within " + ALERT_DEADLINE.toSeconds() + " s after the traffic was produced ("
                            + watcher.alertCount() + " alerts seen: " + watcher.tally() + ")");
                    return 1;
                }
            }
            long wallNanos = System.nanoTime() - wallStart;
            long end = plan.startTime() + plan.minutes() * 60_000L;
            out.println();
            out.println("demo summary");
            out.printf("  events produced  %,d events from %d services and %d nodes%n", produced,
                    plan.services().size(), plan.clusters().stream().mapToInt(c -> c.nodes().size()).sum());
            out.printf("  event time       %s to %s UTC (%d min; storm on %s from %s)%n",
                    TIME.format(Instant.ofEpochMilli(plan.startTime())), HHMM.format(Instant.ofEpochMilli(end)),
                    plan.minutes(), STORM_SERVICE, HHMM.format(Instant.ofEpochMilli(plan.startTime()
                            + plan.storms().get(0).startMinute() * 60_000L)));
            out.printf("  alerts           %d (%s)%n", watcher.alertCount(), watcher.tally());
            out.printf("  dead letters     %d%n", watcher.deadLetters.get());
            out.printf("  wall time        %.1f s (broker start %.1f s)%n", wallNanos / 1e9, brokerUpNanos / 1e9);
            out.flush();

            if (keepRunning) {
                err.println("demo: still running; broker at " + broker.bootstrapServers() + ", requests topic "
                        + cfg.topics().requests() + "; new alerts are printed as they arrive. Ctrl-C stops.");
                while (!stop.await(500)) {
                    if (errors.failed()) {
                        err.println("demo: asyncwatch stopped with an error: " + errors.describe());
                        return 1;
                    }
                }
                err.println("demo: stopping");
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("demo: interrupted");
            return 1;
        } finally {
            // Streams and clients before the broker; the broker before its directory.
            if (streams != null) {
                streams.close(CLOSE_TIMEOUT);
            }
            if (watcher != null) {
                watcher.close();
            }
            if (broker != null) {
                broker.close();
            }
            if (tempRoot != null) {
                deleteRecursively(tempRoot, err);
            }
            stop.close();
            reportLingeringThreads(err);
        }
    }

    // --- shared with the benchmark ---

    /** The configuration pointed at the embedded broker. */
    static AsyncwatchConfig onBroker(AsyncwatchConfig config, EmbeddedKafka broker) {
        return config.withKafka(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /** Creates the topics and returns the partition count of each external topic by name. */
    static Map<String, Integer> createTopics(AsyncwatchConfig cfg) {
        try (Admin admin = Admin.create(StreamsRunner.adminProperties(cfg))) {
            StreamsRunner.createTopics(admin, cfg);
            List<String> names = new ArrayList<>(inputTopics(cfg));
            names.add(cfg.topics().alerts());
            names.add(cfg.topics().dlq());
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                    .get(60, TimeUnit.SECONDS);
            Map<String, Integer> partitions = new TreeMap<>();
            described.forEach((name, d) -> partitions.put(name, d.partitions().size()));
            return partitions;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the topics: " + e, e);
        }
    }

    static List<String> inputTopics(AsyncwatchConfig cfg) {
        return List.of(cfg.topics().requests(), cfg.topics().heartbeats(), cfg.topics().clocks());
    }

    /** Commits the input topics' current end offsets for a new application, so it skips what is already there. */
    static void startAtEnd(AsyncwatchConfig cfg, String applicationId, Map<String, Integer> partitions) {
        try (Admin admin = Admin.create(StreamsRunner.adminProperties(cfg))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : inputTopics(cfg)) {
                for (int p = 0; p < partitions.get(topic); p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS)
                    .forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(applicationId, start).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot position the application after the existing input: " + e, e);
        }
    }

    /** Streams properties for a run on the embedded broker: exactly-once v2, our own application id and state dir. */
    static Properties streamsProperties(AsyncwatchConfig cfg, String applicationId, Path stateDir) {
        Properties props = StreamsRunner.streamsProperties(cfg);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    static KafkaProducer<String, byte[]> producer(AsyncwatchConfig cfg) {
        Map<String, Object> p = new TreeMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "asyncwatch-traffic");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * One generated record, encoded in the configured input format with its topic's codec, record timestamp =
     * event timestamp.
     */
    static ProducerRecord<String, byte[]> toRecord(AsyncwatchConfig cfg, Topics topics, TrafficGenerator.Generated g) {
        byte[] value;
        if (g.event() instanceof RequestEvent r) {
            value = topics.requestCodec().encode(r);
        } else if (g.event() instanceof HeartbeatEvent h) {
            value = topics.heartbeatCodec().encode(h);
        } else {
            value = topics.clockCodec().encode((ClockEvent) g.event());
        }
        return new ProducerRecord<>(Recording.resolveTopic(g.topic(), cfg.topics()), null, g.timestamp(), g.key(),
                value);
    }

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

    /** Non-daemon threads would keep the JVM alive after we return; name them, so a hang is explained. */
    static void reportLingeringThreads(PrintStream err) {
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon() && t != Thread.currentThread() && !t.getName().equals("DestroyJavaVM")
                    && !t.getName().startsWith("asyncwatch-demo-shutdown")) {
                alive.add(t.getName());
            }
        }
        if (!alive.isEmpty()) {
            err.println("asyncwatch: note: non-daemon threads still running: " + alive);
        }
    }

    /** Records a fatal Streams error (uncaught exception or ERROR state) so the waiting loops can stop early. */
    static final class ErrorTracker {
        private final AtomicReference<String> error = new AtomicReference<>();
        private final CountDownLatch failedLatch = new CountDownLatch(1);

        void attach(KafkaStreams streams, PrintStream err) {
            streams.setUncaughtExceptionHandler(e -> {
                error.compareAndSet(null, String.valueOf(e));
                failedLatch.countDown();
                err.println("asyncwatch: fatal error in a stream thread: " + e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.ERROR) {
                    error.compareAndSet(null, "state " + before + " -> ERROR");
                    failedLatch.countDown();
                }
            });
        }

        boolean failed() {
            return error.get() != null;
        }

        /** Waits up to {@code millis} for a failure; true if there was one. */
        boolean awaitFailure(long millis) throws InterruptedException {
            return failedLatch.await(millis, TimeUnit.MILLISECONDS);
        }

        String describe() {
            return error.get();
        }
    }

    private static long produce(AsyncwatchConfig cfg, TrafficGenerator.Plan plan, CtrlC stop,
                                PrintStream err) throws InterruptedException {
        Topics topics = Topics.from(cfg);
        long produced = 0;
        long started = System.nanoTime();
        int reportEvery = 15; // minutes of event time
        long nextReport = plan.startTime() + reportEvery * 60_000L;
        AtomicReference<Exception> sendError = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = producer(cfg)) {
            for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan); it.hasNext(); ) {
                TrafficGenerator.Generated g = it.next();
                if (g.timestamp() >= nextReport) {
                    err.printf("demo: produced %,d events, event time %s (minute %d of %d)%n", produced,
                            HHMM.format(Instant.ofEpochMilli(nextReport)),
                            (nextReport - plan.startTime()) / 60_000, plan.minutes());
                    nextReport += reportEvery * 60_000L;
                    if (stop.requested()) {
                        return produced;
                    }
                }
                producer.send(toRecord(cfg, topics, g), (md, e) -> {
                    if (e != null) {
                        sendError.compareAndSet(null, e);
                    }
                });
                produced++;
            }
            producer.flush();
        }
        if (sendError.get() != null) {
            throw new IllegalStateException("producing the demo traffic failed: " + sendError.get(), sendError.get());
        }
        err.printf("demo: produced %,d events (%d min of event time) in %.1f s; waiting for the storm to resolve%n",
                produced, plan.minutes(), (System.nanoTime() - started) / 1e9);
        return produced;
    }

    /**
     * Reads the alerts (and counts the dead letters) produced from now on, in its own daemon thread, printing one
     * {@link AlertLine} per alert. Read committed: only what the exactly-once transactions have committed.
     */
    static final class AlertWatcher implements Runnable {
        final CountDownLatch resolved = new CountDownLatch(1);
        final AtomicLong deadLetters = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        private final List<Alert> alerts = new ArrayList<>();
        private final KafkaConsumer<String, byte[]> consumer;
        private final Deserializer<Alert> alertDeserializer;
        private final String alertsTopic;
        private final PrintStream out;
        private final String stormService;
        private final Thread thread;
        private volatile boolean closing;

        private AlertWatcher(AsyncwatchConfig cfg, Map<String, Integer> partitions, PrintStream out,
                             String stormService) {
            this.alertsTopic = cfg.topics().alerts();
            this.alertDeserializer = Topics.from(cfg).alerts().valueSerde().deserializer();
            this.out = out;
            this.stormService = stormService;
            Map<String, Object> c = new TreeMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, "asyncwatch-demo-alerts");
            this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : List.of(alertsTopic, cfg.topics().dlq())) {
                for (int p = 0; p < partitions.get(topic); p++) {
                    assigned.add(new TopicPartition(topic, p));
                }
            }
            consumer.assign(assigned);
            // From the current end: a kept data directory may hold alerts of earlier runs.
            consumer.seekToEnd(assigned);
            assigned.forEach(consumer::position);
            this.thread = new Thread(this, "asyncwatch-demo-alerts");
            thread.setDaemon(true);
        }

        static AlertWatcher start(AsyncwatchConfig cfg, Map<String, Integer> partitions, PrintStream out,
                                  String stormService) {
            AlertWatcher w = new AlertWatcher(cfg, partitions, out, stormService);
            w.thread.start();
            return w;
        }

        @Override
        public void run() {
            try {
                while (!closing) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.topic().equals(alertsTopic)) {
                            onAlert(alertDeserializer.deserialize(r.topic(), r.value()));
                        } else {
                            deadLetters.incrementAndGet();
                        }
                    }
                }
            } catch (WakeupException e) {
                // close() was called
            } catch (Exception e) {
                if (!closing) {
                    failure.set(e);
                }
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }

        private void onAlert(Alert a) {
            if (a == null) {
                return;
            }
            synchronized (this) {
                alerts.add(a);
            }
            out.println(AlertLine.format(a));
            out.flush();
            if (a.type() == AlertType.RETRY_STORM && a.status() == AlertStatus.RESOLVED && a.subject() != null
                    && stormService.equals(a.subject().get("service"))) {
                resolved.countDown();
            }
        }

        synchronized int alertCount() {
            return alerts.size();
        }

        /** "FIRING WARN 1, FIRING PAGE 1, RESOLVED PAGE 1" in status then severity order. */
        synchronized String tally() {
            Map<String, Integer> counts = new TreeMap<>();
            for (Alert a : alerts) {
                String key = (a.status() == null ? 9 : a.status().ordinal()) + "" + (a.severity() == null ? 9
                        : a.severity().ordinal()) + " " + a.status() + " " + a.severity();
                counts.merge(key, 1, Integer::sum);
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((k, n) -> parts.add(k.substring(3) + " " + n));
            return parts.isEmpty() ? "none" : String.join(", ", parts);
        }

        void close() {
            closing = true;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
