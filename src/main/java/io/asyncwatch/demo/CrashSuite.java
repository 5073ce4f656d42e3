package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import io.asyncwatch.topics.TopicLayout;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code asyncwatch crash-suite}: exactly-once and recovery, proven from outside. A broker runs in a process of its
 * own ({@code asyncwatch broker}), the recording is produced to it once, and each scenario runs
 * {@code asyncwatch run} in other processes under its own application id and output topics:
 * <ul>
 *   <li>{@code clean}: one uninterrupted run;</li>
 *   <li>{@code kills}: SIGKILL at random points, restarted each time, alternately on the old state directory and
 *       on a fresh one; prints the time from each restart until detection resumes;</li>
 *   <li>{@code broker}: the broker killed and restarted mid-stream under a running application;</li>
 *   <li>{@code pair}: two instances of one application id sharing the partitions, one killed mid-way for good.</li>
 * </ul>
 * Each scenario's alert topic, read with {@code read_committed}, must hold exactly the alerts {@code replay} gives
 * for the recording (ids included), each once.
 */
public final class CrashSuite {

    public static final List<String> SCENARIOS = List.of("clean", "kills", "broker", "pair");
    /** Not run by default: it takes {@code --overload-minutes} plus the catch-up plus a replay of all its input. */
    public static final String OVERLOAD = "overload";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);
    /** No new alert for this long after all input is processed and the expected count is reached: done. */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** Silence resolves the last episodes after asyncwatch.event-time.idle-ms; this is generous on top of it. */
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(240);
    private static final List<String> CHILD_JVM = List.of("-Xmx768m", "-XX:+UseG1GC");

    /** What to run: the recording ({@code null}: the demo traffic, generated), kills, seed, where to work. */
    public record Options(Path recording, int scale, Path config, int kills, long seed, Path workDir,
                          List<String> scenarios, double overloadMinutes, long overloadRate, boolean verify) {
    }

    /** One scenario's verdict. */
    record Verdict(String scenario, int expected, int received, int duplicateIds, int missing, int unexpected,
                   String detail) {
        boolean identical() {
            return duplicateIds == 0 && missing == 0 && unexpected == 0 && expected == received;
        }
    }

    private final Options options;
    private final Path work;
    private final Map<String, String> baseEnv;
    private final PrintStream out;
    private final PrintStream err;
    private final Random random;
    private final List<Child> children = new ArrayList<>();
    /** Events/s of the clean scenario (input / time from RUNNING to all processed); 0 until it has run. */
    private double cleanRate;
    private Child broker;
    private int brokerPort;
    private String bootstrap;
    private long inputRecords;

    private CrashSuite(Options options, Path work, PrintStream out, PrintStream err) {
        this.options = options;
        this.work = work;
        this.baseEnv = new TreeMap<>();
        this.out = out;
        this.err = err;
        this.random = new Random(options.seed());
    }

    /** @return 0 if every scenario gave the replayed alerts exactly once, 1 otherwise */
    public static int run(Options options, PrintStream out, PrintStream err) throws Exception {
        for (String s : options.scenarios()) {
            if (!SCENARIOS.contains(s) && !s.equals(OVERLOAD)) {
                throw new IllegalArgumentException("unknown scenario '" + s + "' (known: " + SCENARIOS + " and "
                        + OVERLOAD + ")");
            }
        }
        Path work = options.workDir() != null ? options.workDir() : Files.createTempDirectory("asyncwatch-crash-");
        Files.createDirectories(work);
        CrashSuite suite = new CrashSuite(options, work.toAbsolutePath(), out, err);
        // Stopped from outside (Ctrl-C, a CI timeout), the suite must not leave a broker or an application behind.
        Thread reaper = new Thread(suite::destroyChildren, "crash-suite-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            return suite.runAll();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // The reaper is running.
            }
            suite.killApplications();
            suite.stopBroker();
            err.println("crash-suite: logs and data kept in " + work);
        }
    }

    private int runAll() throws Exception {
        Path recording = options.recording() != null ? options.recording() : generate();
        AsyncwatchConfig base = config(Map.of());
        long t0 = System.nanoTime();
        List<String> expected = replay(base, recording);
        err.printf("crash-suite: replay of %s: %d alerts in %.1f s%n", recording, expected.size(),
                (System.nanoTime() - t0) / 1e9);

        brokerPort = freePort();
        startBroker();
        baseEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        AsyncwatchConfig onBroker = config(Map.of());
        createInputsKeptForever(onBroker);
        t0 = System.nanoTime();
        inputRecords = produce(onBroker, recording);
        err.printf("crash-suite: produced %,d records in %.1f s%n", inputRecords, (System.nanoTime() - t0) / 1e9);

        List<Verdict> verdicts = new ArrayList<>();
        boolean failed = false;
        List<String> report = new ArrayList<>();
        for (String scenario : options.scenarios()) {
            err.println("crash-suite: --- " + scenario + " ---");
            Scenario s = new Scenario(scenario, expected.size(), scenario.equals(OVERLOAD) ? Overload.TOPICS
                    : Map.of());
            List<String> want = expected;
            switch (scenario) {
                case "clean" -> s.clean();
                case "kills" -> s.kills();
                case "broker" -> s.brokerRestart();
                case "pair" -> s.pair();
                case OVERLOAD -> want = new Overload(s).run();
                default -> throw new IllegalStateException(scenario);
            }
            report.addAll(s.notes);
            if (want == null) {
                report.add(String.format(Locale.ROOT, "%-7s %d alerts received, not compared (--no-verify)",
                        scenario, s.alerts.size()));
                s.failures.forEach(f -> report.add(String.format(Locale.ROOT, "%-7s FAILED: %s", scenario, f)));
                failed |= !s.failures.isEmpty();
                continue;
            }
            Verdict v = compare(scenario, want, s.alerts);
            verdicts.add(v);
            s.failures.forEach(f -> report.add(String.format(Locale.ROOT, "%-7s FAILED: %s", scenario, f)));
            failed |= !s.failures.isEmpty();
            report.add(String.format(Locale.ROOT, "%-7s %s: %d alerts expected, %d received, %d duplicate ids%s",
                    scenario, v.identical() ? "IDENTICAL to replay" : "DIFFERENT from replay", v.expected(),
                    v.received(), v.duplicateIds(), v.detail().isEmpty() ? "" : "; " + v.detail()));
        }
        out.println();
        out.printf("crash-suite: %,d input records, seed %d%n", inputRecords, options.seed());
        report.forEach(out::println);
        boolean ok = !failed && verdicts.stream().allMatch(Verdict::identical);
        out.println(ok ? "crash-suite: PASSED" : "crash-suite: FAILED");
        return ok ? 0 : 1;
    }

    /** One scenario: its application id, output topics and processes. */
    private final class Scenario {
        final String name;
        final String applicationId;
        final Map<String, String> env;
        final AsyncwatchConfig config;
        final List<String> notes = new ArrayList<>();
        List<Received> alerts = List.of();
        /** What else went wrong: a stop that did not exit 0, a run that did not finish. */
        final List<String> failures = new ArrayList<>();
        private int expectedCount;
        /** {nanos, committed input position} at every round of {@link #finish}. */
        final List<long[]> rates = new ArrayList<>();
        /** When the input was last seen fully processed. */
        long processedAt;
        long inputTotal = inputRecords;
        List<String> jvm = CHILD_JVM;
        /** Called on every round of {@link #finish}: the overload samples memory there. */
        Runnable onPoll = () -> { };
        private final AlertReader reader;
        private final Admin admin;
        private final Map<String, Integer> logMarks = new HashMap<>();

        Scenario(String name, int expectedCount, Map<String, String> extraEnv) {
            this.name = name;
            this.expectedCount = expectedCount;
            this.applicationId = "crash-" + name;
            this.env = new TreeMap<>(baseEnv);
            env.put("KAFKA_APPLICATION_ID", applicationId);
            env.put("ASYNCWATCH_TOPIC_ALERTS", applicationId + ".alerts");
            env.put("ASYNCWATCH_TOPIC_DLQ", applicationId + ".dlq");
            env.put("ASYNCWATCH_TOPIC_METRICS", applicationId + ".metrics");
            env.putAll(extraEnv);
            this.config = config(env);
            this.reader = new AlertReader(config);
            // One client for the many position polls (it reconnects by itself across a broker restart).
            this.admin = Admin.create(StreamsRunner.adminProperties(config));
        }

        void clean() throws Exception {
            Child app = start("a");
            awaitRunning(app);
            long running = System.nanoTime();
            finish(List.of(app));
            double average = inputRecords / ((processedAt - running) / 1e9);
            cleanRate = peakRate(rates, 2_000_000_000L);
            notes.add(String.format(Locale.ROOT, "clean   %,d input records processed %.1f s after RUNNING: %,.0f"
                    + " events/s on average, %,.0f at best over 2 s", inputRecords, (processedAt - running) / 1e9,
                    average, cleanRate));
        }

        void kills() throws Exception {
            Child app = start("a");
            awaitRunning(app);
            for (int i = 1; i <= options.kills(); i++) {
                // Spread over the input, each at a random point of its own stretch, so every kill hits work in
                // progress (a fixed delay lands after the end once the input is consumed fast).
                long target = (long) (inputRecords * (i - 0.8 + 0.6 * random.nextDouble()) / (options.kills() + 1));
                awaitPosition(target, app);
                boolean fresh = i % 2 == 0;
                app.kill();
                long position = committed();
                if (fresh) {
                    DemoBroker.deleteRecursively(stateDir("a"), err);
                }
                app = start("a");
                double running = awaitRunning(app);
                double resumed = awaitProgress(position, app);
                notes.add(String.format(Locale.ROOT, "kills   kill %d at %,d of %,d input records (%.0f%%), restart on"
                                + " %s state: RUNNING after %.1f s, processing again after %s", i, position,
                        inputRecords, 100.0 * position / inputRecords, fresh ? "a fresh" : "the old", running,
                        resumed < 0 ? "- (input already consumed)" : String.format(Locale.ROOT, "%.1f s", resumed)));
                err.println("crash-suite: " + notes.get(notes.size() - 1));
                reader.poll();
            }
            finish(List.of(app));
        }

        void brokerRestart() throws Exception {
            Child app = start("a");
            awaitRunning(app);
            awaitPosition((long) (inputRecords * (0.1 + 0.4 * random.nextDouble())), app);
            long t0 = System.nanoTime();
            broker.kill();
            startBroker();
            // Read once the broker is back: nothing can commit while it is down.
            long position = committed();
            notes.add(String.format(Locale.ROOT, "broker  broker killed (SIGKILL) near %,d of %,d input records and"
                    + " restarted on the same port and data in %.1f s", position, inputRecords,
                    (System.nanoTime() - t0) / 1e9));
            err.println("crash-suite: " + notes.get(notes.size() - 1));
            finish(List.of(app));
        }

        void pair() throws Exception {
            Child a = start("a");
            Child b = start("b");
            awaitRunning(a);
            awaitRunning(b);
            awaitPosition((long) (inputRecords * (0.1 + 0.4 * random.nextDouble())), a);
            long t0 = System.nanoTime();
            b.kill();
            long position = committed();
            finish(List.of(a));
            notes.add(String.format(Locale.ROOT, "pair    instance b killed for good at %,d of %,d input records;"
                    + " instance a had processed all input %.1f s later (b's partitions wait for its session timeout,"
                    + " session.timeout.ms)", position, inputRecords, (processedAt - t0) / 1e9));
        }

        private Child start(String instance) throws IOException {
            Map<String, String> e = new TreeMap<>(env);
            e.put("ASYNCWATCH_INSTANCE_NAME", instance);
            e.put("KAFKA_STATE_DIR", stateDir(instance).toString());
            List<String> args = new ArrayList<>(List.of("run", "--create-topics"));
            if (options.config() != null) {
                args.addAll(List.of("--config", options.config().toString()));
            }
            Path log = work.resolve(name).resolve(instance + ".log");
            Files.createDirectories(log.getParent());
            logMarks.put(instance, Files.exists(log) ? Files.readAllLines(log).size() : 0);
            Child child = Child.start(name + "/" + instance, jvm, args, e, log);
            children.add(child);
            return child;
        }

        private Path stateDir(String instance) {
            return work.resolve(name).resolve("state-" + instance);
        }

        /** Seconds from process start until the application logged RUNNING. */
        private double awaitRunning(Child app) throws IOException, InterruptedException {
            int from = logMarks.getOrDefault(app.name().substring(app.name().indexOf('/') + 1), 0);
            app.awaitLine("-> RUNNING", from, START_TIMEOUT);
            return (System.nanoTime() - app.startedNanos()) / 1e9;
        }

        /**
         * Seconds from process start until the committed input position passed {@code position}; -1 if all input
         * was already consumed.
         */
        private double awaitProgress(long position, Child app) throws Exception {
            if (position >= inputRecords) {
                return -1;
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (committed() <= position) {
                if (!app.isAlive()) {
                    throw new IllegalStateException(app.name() + " ended; see " + app.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(app.name() + " made no progress within "
                            + START_TIMEOUT.toSeconds() + " s; see " + app.log());
                }
                reader.poll();
                pause(50);
            }
            return (System.nanoTime() - app.startedNanos()) / 1e9;
        }

        /** Until the committed input position reaches {@code target} (or the input ends, or the time is up). */
        private void awaitPosition(long target, Child app) throws Exception {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (committed() < Math.min(target, inputRecords - 1) && System.nanoTime() < deadline) {
                if (!app.isAlive()) {
                    throw new IllegalStateException(app.name() + " ended; see " + app.log());
                }
                reader.poll();
                pause(20);
            }
        }

        /** Until the input is processed and the alerts have settled; then SIGTERM, which must exit 0. */
        private void finish(List<Child> apps) throws Exception {
            finish(apps, FINISH_TIMEOUT);
        }

        private void finish(List<Child> apps, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean settled = false;
            long lastChange = System.nanoTime();
            int lastSize = -1;
            while (System.nanoTime() < deadline) {
                for (Child app : apps) {
                    if (!app.isAlive()) {
                        throw new IllegalStateException(app.name() + " ended on its own; see " + app.log());
                    }
                }
                reader.poll();
                onPoll.run();
                int size = reader.received.size();
                if (size != lastSize) {
                    lastSize = size;
                    lastChange = System.nanoTime();
                }
                long position = committed();
                rates.add(new long[] {System.nanoTime(), position});
                boolean processed = position >= inputTotal && backlog() == 0;
                if (processed && processedAt == 0) {
                    processedAt = System.nanoTime();
                }
                if (processed && size >= expectedCount && System.nanoTime() - lastChange > SETTLE.toNanos()) {
                    settled = true;
                    break;
                }
                pause(200);
            }
            if (!settled) {
                failures.add(name + ": not finished within " + timeout.toSeconds() + " s (input processed: "
                        + (processedAt != 0) + ", " + reader.received.size() + " of " + expectedCount + " alerts)");
            }
            for (Child app : apps) {
                int status = app.stop(STOP_TIMEOUT);
                if (status != 0) {
                    failures.add(name + ": " + app.name() + " exited with status " + status
                            + " on SIGTERM (expected 0); see " + app.log());
                }
            }
            reader.poll();
            reader.close();
            admin.close(Duration.ofSeconds(5));
            alerts = reader.received;
        }

        private long committed() throws Exception {
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                Set<String> inputs = Set.copyOf(TopicSetup.inputTopics(config));
                long sum = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    if (inputs.contains(e.getKey().topic()) && e.getValue() != null) {
                        sum += e.getValue().offset();
                    }
                }
                return sum;
            } catch (Exception e) {
                // The broker may be restarting: no progress known yet.
                return -1;
            }
        }

        private long backlog() {
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                return ThroughputRun.repartitionBacklog(admin, applicationId, offsets);
            } catch (Exception e) {
                return -1;
            }
        }

    }

    /**
     * Input at {@code --rate} (default: twice the clean scenario's rate) for {@code --overload-minutes}, produced
     * while the application runs, then the catch-up: peak heap (from the GC log) and RSS of the application, its
     * state directory, and the time from the end of the input until all of it was processed. Its alerts are
     * compared with a replay of the same generated events.
     */
    private final class Overload {
        static final Map<String, String> TOPICS = Map.of("ASYNCWATCH_TOPIC_REQUESTS", "crash-overload.requests",
                "ASYNCWATCH_TOPIC_HEARTBEATS", "crash-overload.heartbeats",
                "ASYNCWATCH_TOPIC_CLOCKS", "crash-overload.clocks");
        /** The demo plan holds a little more than this many events per unit of scale (75 minutes). */
        private static final double EVENTS_PER_SCALE = 150_000;
        private static final long SAMPLE_NANOS = 5_000_000_000L;

        private final Scenario s;
        private long peakRss;
        private long nextSample;
        private final List<String> samples = new ArrayList<>();

        Overload(Scenario s) {
            this.s = s;
        }

        List<String> run() throws Exception {
            long rate = options.overloadRate() > 0 ? options.overloadRate() : Math.round(2 * cleanRate);
            if (rate <= 0) {
                throw new IllegalArgumentException("the overload scenario needs --rate N, or the clean scenario"
                        + " before it to measure the rate the application sustains");
            }
            long events = Math.round(rate * options.overloadMinutes() * 60);
            int scale = (int) Math.max(1, Math.ceil(events / EVENTS_PER_SCALE));
            TrafficGenerator.Plan plan = TrafficGenerator.demoPlan(1_767_225_600_000L, 75, scale, options.seed());

            List<String> expected = null;
            if (options.verify()) {
                long t0 = System.nanoTime();
                long[] replayed = new long[1];
                expected = replayPlan(plan, events, replayed);
                err.printf("crash-suite: overload: replay of %,d generated events (scale %d): %d alerts in %.0f s%n",
                        replayed[0], scale, expected.size(), (System.nanoTime() - t0) / 1e9);
                s.expectedCount = expected.size();
            } else {
                s.expectedCount = 0;
            }

            createInputsKeptForever(s.config);
            Path gcLog = work.resolve(s.name).resolve("gc.log");
            List<String> jvm = new ArrayList<>(CHILD_JVM);
            jvm.add("-Xlog:gc:file=" + gcLog);
            s.jvm = jvm;
            Child app = s.start("a");
            s.awaitRunning(app);
            s.onPoll = () -> sample(app, false);

            long start = System.nanoTime();
            long produced = producePaced(plan, events, rate, app);
            long inputEnd = System.nanoTime();
            double seconds = (inputEnd - start) / 1e9;
            long behind = produced - Math.max(0, s.committed());
            s.inputTotal = produced;
            // The backlog at no less than 10,000 events/s, on top of the usual allowance.
            s.finish(List.of(app), FINISH_TIMEOUT.plusSeconds(behind / 10_000));
            double catchUp = s.processedAt == 0 ? Double.NaN : (s.processedAt - inputEnd) / 1e9;
            s.notes.add(String.format(Locale.ROOT, "overload %,d events produced in %.0f s (%,.0f/s, target %,d/s);"
                            + " %,d not yet processed when the input stopped; caught up %.0f s later; the"
                            + " application's best rate over 5 s: %,.0f/s", produced, seconds, produced / seconds,
                    rate, behind, catchUp, peakRate(s.rates, 5_000_000_000L)));
            s.notes.add(String.format(Locale.ROOT, "overload application memory: peak RSS %,d MiB, peak heap %s"
                            + " (of -Xmx768m), state directory %,d MiB at the end", peakRss >> 20,
                    peakHeap(gcLog), directorySize(s.stateDir("a")) >> 20));
            samples.forEach(line -> err.println("crash-suite: overload: " + line));
            return expected;
        }

        private long producePaced(TrafficGenerator.Plan plan, long events, long rate, Child app) throws Exception {
            AtomicReference<Exception> failure = new AtomicReference<>();
            long sent = 0;
            long start = System.nanoTime();
            TrafficProducer encoder = new TrafficProducer(s.config);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(s.config),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan);
                     it.hasNext() && sent < events; ) {
                    producer.send(encoder.toRecord(it.next()), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    sent++;
                    if (sent % 1_000 == 0) {
                        long due = start + (long) (sent * 1e9 / rate);
                        long ahead = due - System.nanoTime();
                        if (ahead > 0) {
                            TimeUnit.NANOSECONDS.sleep(ahead);
                        }
                        sample(app, true);
                        if (!app.isAlive()) {
                            throw new IllegalStateException("the application ended under overload; see " + app.log());
                        }
                    }
                }
                producer.flush();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("producing the overload failed: " + failure.get(), failure.get());
            }
            return sent;
        }

        private void sample(Child app, boolean producing) {
            long rss = app.peakRssBytes();
            peakRss = Math.max(peakRss, rss);
            long now = System.nanoTime();
            if (now < nextSample) {
                return;
            }
            nextSample = now + SAMPLE_NANOS;
            try {
                long position = s.committed();
                s.rates.add(new long[] {now, position});
                samples.add(String.format(Locale.ROOT, "%s: %,d input records committed, peak RSS so far %,d MiB",
                        producing ? "producing" : "catching up", position, rss >> 20));
            } catch (Exception e) {
                samples.add("sample failed: " + e);
            }
        }

        private List<String> replayPlan(TrafficGenerator.Plan plan, long events, long[] count) throws IOException {
            Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan);
            Iterator<String> lines = new Iterator<>() {
                long n;

                @Override
                public boolean hasNext() {
                    return n < events && it.hasNext();
                }

                @Override
                public String next() {
                    n++;
                    count[0] = n;
                    TrafficGenerator.Generated g = it.next();
                    return Recording.line(g.topic(), g.timestamp(), g.key(), g.event());
                }
            };
            StringWriter alerts = new StringWriter();
            Replayer.replay(s.config, new BufferedReader(new LinesReader(lines)), alerts);
            return canonical(alerts.toString());
        }
    }

    /** The best rate over any span of at least {@code spanNanos} of {nanos, position} samples; 0 if none. */
    static double peakRate(List<long[]> samples, long spanNanos) {
        double best = 0;
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                long dt = samples.get(j)[0] - samples.get(i)[0];
                if (dt >= spanNanos && samples.get(i)[1] >= 0) {
                    best = Math.max(best, (samples.get(j)[1] - samples.get(i)[1]) / (dt / 1e9));
                    break;
                }
            }
        }
        return best;
    }

    /** Peak heap in use before a collection, from a {@code -Xlog:gc} file ("12M->3M(64M)"). */
    static String peakHeap(Path gcLog) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
        long peak = -1;
        try {
            for (String line : Files.readAllLines(gcLog)) {
                java.util.regex.Matcher m = p.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return peak < 0 ? "unknown (no collection logged)" : String.format(Locale.ROOT, "%,d MiB", peak);
    }

    static long directorySize(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Lines from an iterator as a character stream, so a replay needs no file of a generated recording. */
    private static final class LinesReader extends java.io.Reader {
        private final Iterator<String> lines;
        private String current = "";
        private int pos;

        LinesReader(Iterator<String> lines) {
            this.lines = lines;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (pos == current.length()) {
                if (!lines.hasNext()) {
                    return -1;
                }
                current = lines.next() + "\n";
                pos = 0;
            }
            int n = Math.min(len, current.length() - pos);
            current.getChars(pos, pos + n, buf, off);
            pos += n;
            return n;
        }

        @Override
        public void close() {
        }
    }

    /** An alert as received, with its canonical JSON. */
    record Received(String alertId, String json) {
    }

    /** The scenario's alert topic, read_committed, from the beginning. */
    private final class AlertReader implements AutoCloseable {
        final List<Received> received = new ArrayList<>();
        private final KafkaConsumer<String, Alert> consumer;
        private final String topic;
        private boolean assigned;

        AlertReader(AsyncwatchConfig config) {
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            this.topic = config.topics().alerts();
            this.consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    Topics.from(config).alerts().valueSerde().deserializer());
        }

        void poll() {
            if (!assigned) {
                // The topic exists once the application created it (run --create-topics).
                List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (parts == null || parts.isEmpty()) {
                    return;
                }
                List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                assigned = true;
            }
            try {
                for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(100))) {
                    received.add(new Received(r.value().alertId(), Json.writeString(r.value())));
                }
            } catch (RuntimeException e) {
                // Broker restarting: the next poll continues from the same position.
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    static Verdict compare(String scenario, List<String> expected, List<Received> received) {
        Map<String, Integer> want = new TreeMap<>();
        expected.forEach(j -> want.merge(j, 1, Integer::sum));
        Map<String, Integer> got = new TreeMap<>();
        Map<String, Integer> ids = new HashMap<>();
        for (Received r : received) {
            got.merge(r.json(), 1, Integer::sum);
            ids.merge(r.alertId(), 1, Integer::sum);
        }
        int duplicates = (int) ids.values().stream().filter(n -> n > 1).count();
        int missing = 0;
        int unexpected = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Integer> e : want.entrySet()) {
            int d = e.getValue() - got.getOrDefault(e.getKey(), 0);
            if (d > 0) {
                missing += d;
                if (examples.size() < 3) {
                    examples.add("missing " + e.getKey());
                }
            }
        }
        for (Map.Entry<String, Integer> e : got.entrySet()) {
            int d = e.getValue() - want.getOrDefault(e.getKey(), 0);
            if (d > 0) {
                unexpected += d;
                if (examples.size() < 6) {
                    examples.add("unexpected " + e.getKey());
                }
            }
        }
        String detail = missing + unexpected == 0 ? "" : missing + " missing, " + unexpected + " unexpected: "
                + String.join(" | ", examples);
        return new Verdict(scenario, expected.size(), received.size(), duplicates, missing, unexpected, detail);
    }

    private AsyncwatchConfig config(Map<String, String> env) {
        Map<String, String> all = new TreeMap<>(baseEnv);
        all.putAll(env);
        return AsyncwatchConfig.load(options.config(), all);
    }

    private Path generate() throws IOException {
        Path file = work.resolve("recording.jsonl");
        TrafficGenerator.Plan plan = TrafficGenerator.demoPlan(1_767_225_600_000L, 75, options.scale(),
                options.seed());
        long n = TrafficGenerator.writeRecording(plan, file);
        err.printf("crash-suite: generated the demo traffic (%,d records, scale %d, seed %d) into %s%n", n,
                options.scale(), options.seed(), file);
        return file;
    }

    private static List<String> replay(AsyncwatchConfig config, Path recording) throws IOException {
        StringWriter alerts = new StringWriter();
        try (BufferedReader in = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
            Replayer.replay(config, in, alerts);
        }
        return canonical(alerts.toString());
    }

    /** Replayed alerts (JSON Lines) in the form the live ones are compared in. */
    private static List<String> canonical(String jsonLines) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.writeString(Json.MAPPER.readValue(line, Alert.class)));
            }
        }
        return out;
    }

    /** The configuration's client settings (security included) with an idempotent, batching producer's. */
    private static Map<String, Object> producerProperties(AsyncwatchConfig config) {
        Map<String, Object> p = new HashMap<>();
        StreamsRunner.adminProperties(config).forEach((k, v) -> p.put(k.toString(), v));
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    private static long produce(AsyncwatchConfig config, Path recording) throws IOException {
        Map<String, Object> p = producerProperties(config);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long n = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer());
             Stream<String> lines = Files.lines(recording, StandardCharsets.UTF_8)) {
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isBlank()) {
                    continue;
                }
                Recording r = Recording.parse(line);
                producer.send(new ProducerRecord<>(Recording.resolveTopic(r.topic(), config.topics()), null,
                        r.timestamp(), r.key(), r.value()), (md, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                n++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the recording failed: " + failure.get(), failure.get());
        }
        return n;
    }

    /**
     * The recording's timestamps may be months old: with the inputs' usual retention (7 days, measured against
     * record timestamps) the broker would delete them a few minutes after they are produced, and a run that starts
     * later would silently begin at the end.
     */
    private static void createInputsKeptForever(AsyncwatchConfig config) throws Exception {
        Set<String> inputs = Set.copyOf(TopicSetup.inputTopics(config));
        List<NewTopic> topics = new ArrayList<>();
        for (TopicLayout.TopicPlan plan : TopicLayout.plans(config)) {
            if (inputs.contains(plan.name())) {
                Map<String, String> configs = new TreeMap<>(plan.configs());
                configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
                topics.add(new NewTopic(plan.name(), Optional.of(plan.partitions()), Optional.empty())
                        .configs(configs));
            }
        }
        try (Admin admin = Admin.create(StreamsRunner.adminProperties(config))) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    private void startBroker() throws IOException, InterruptedException {
        Path data = work.resolve("kafka");
        Path log = work.resolve("broker.log");
        int from = Files.exists(log) ? Files.readAllLines(log).size() : 0;
        broker = Child.start("broker", List.of("-Xmx1g"), List.of("broker", "--data-dir", data.toString(), "--port",
                Integer.toString(brokerPort)), Map.of(), log);
        String line = broker.awaitLine("bootstrap.servers=", from, START_TIMEOUT);
        bootstrap = line.substring(line.indexOf('=') + 1).trim();
    }

    private void destroyChildren() {
        List<Child> all = new ArrayList<>(children);
        if (broker != null) {
            all.add(broker);
        }
        all.forEach(Child::destroyNow);
    }

    /** After a failure: no application may outlive the suite. */
    private void killApplications() throws InterruptedException {
        for (Child c : children) {
            if (c.isAlive()) {
                c.kill();
            }
        }
    }

    private void stopBroker() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.stop(STOP_TIMEOUT);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
