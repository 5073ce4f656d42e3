package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * Times one Kafka Streams application over input already on the broker: the clock runs from
 * {@code KafkaStreams.start()} until the application's committed offsets on the input topics reach their end
 * offsets and its repartition topics (if it has any) are drained. Every application of the benchmark is measured
 * by this one piece of code, so their rates compare.
 */
final class ThroughputRun {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 200;

    /** A run that did not finish: its message says why. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /**
     * @param events           input records (the sum of the input topics' end offsets)
     * @param seconds          start until all input was processed
     * @param inputSeconds     start until the input topics were consumed
     * @param startupSeconds   start until the first commit
     * @param committedAtFirst input records committed by the first commit
     * @param peakHeapBytes    peak heap of the whole JVM (broker included) during the run
     * @param jitSeconds       time the JIT compilers spent compiling during the run, summed over the compiler
     *                         threads (elapsed time: their CPU time, or more while they waited for a core; NaN
     *                         where not known): on a cold JVM with few cores, much of the CPU the run had
     */
    record Result(String name, long events, double seconds, double inputSeconds, double startupSeconds,
                  long committedAtFirst, long peakHeapBytes, double cpuSeconds, double jitSeconds,
                  String threadTime) {

        double eventsPerSecond() {
            return events / seconds;
        }

        /** Throughput after the first commit, or NaN when the run was too short to tell. */
        double eventsPerSecondAfterStartup() {
            double steady = seconds - startupSeconds;
            return steady > 0.5 ? (events - committedAtFirst) / steady : Double.NaN;
        }
    }

    private ThroughputRun() {
    }

    /** Runs {@code topology} with {@code props} until it has processed all {@code endTotal} input records; closes it. */
    static Result measure(String name, Topology topology, Properties props, AsyncwatchConfig cfg,
                          Collection<String> inputTopics, long endTotal, CtrlC stop, PrintStream err)
            throws Failed, InterruptedException {
        return measure(name, topology, props, cfg, inputTopics, endTotal, stop, err, null);
    }

    /** @param alongside started with the application and closed after it was measured (the dashboard); or null */
    static Result measure(String name, Topology topology, Properties props, AsyncwatchConfig cfg,
                          Collection<String> inputTopics, long endTotal, CtrlC stop, PrintStream err,
                          java.util.function.Function<KafkaStreams, AutoCloseable> alongside)
            throws Failed, InterruptedException {
        AutoCloseable extra = null;
        String applicationId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        Set<String> inputs = Set.copyOf(inputTopics);
        ErrorTracker errors = new ErrorTracker();
        KafkaStreams streams = new KafkaStreams(topology, props);
        try (Admin admin = Admin.create(StreamsRunner.adminProperties(cfg))) {
            errors.attach(streams, err);
            System.gc();
            resetPeakHeap();
            err.printf("bench: starting %s on %,d events (application.id %s, %s)%n", name, endTotal, applicationId,
                    props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

            long cpu0 = processCpuNanos();
            long jit0 = compilationMillis();
            long t0 = System.nanoTime();
            streams.start();
            extra = alongside == null ? null : alongside.apply(streams);
            long firstCommitNanos = -1;
            long committedAtFirst = 0;
            long inputDoneNanos = -1;
            long nextProgress = t0 + PROGRESS_EVERY.toNanos();
            long deadline = t0 + Duration.ofSeconds(Math.max(300, endTotal / 2_000)).toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long committed = sum(offsets, inputs);
                long now = System.nanoTime();
                if (committed > 0 && firstCommitNanos < 0) {
                    firstCommitNanos = now;
                    committedAtFirst = committed;
                }
                if (committed >= endTotal && inputDoneNanos < 0) {
                    inputDoneNanos = now;
                }
                long backlog = inputDoneNanos >= 0 ? repartitionBacklog(admin, applicationId, offsets) : -1;
                if (backlog == 0) {
                    break;
                }
                if (now > nextProgress) {
                    err.printf("bench: %s: %,d of %,d input events consumed%s after %.0f s%n", name, committed,
                            endTotal, backlog > 0 ? String.format(Locale.ROOT,
                                    ", %,d repartitioned records still to process", backlog) : "", (now - t0) / 1e9);
                    nextProgress += PROGRESS_EVERY.toNanos();
                }
                if (now > deadline) {
                    throw new Failed(String.format(Locale.ROOT, "%s not done after %.0f s (%,d of %,d events"
                            + " consumed)", name, (now - t0) / 1e9, committed, endTotal));
                }
                if (errors.awaitFailure(POLL_MILLIS)) {
                    throw new Failed(name + " stopped with an error: " + errors.describe());
                }
                if (stop.requested()) {
                    throw new InterruptedException("Ctrl-C");
                }
            }
            long t1 = System.nanoTime();
            long cpu1 = processCpuNanos();
            long jit1 = compilationMillis();
            return new Result(name, endTotal, (t1 - t0) / 1e9, (inputDoneNanos - t0) / 1e9,
                    (firstCommitNanos - t0) / 1e9, committedAtFirst, peakHeapUsed(),
                    cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e9,
                    jit0 < 0 || jit1 < 0 ? Double.NaN : (jit1 - jit0) / 1e3, threadTime(streams, (t1 - t0) / 1e9)
                            + writes(streams, endTotal, applicationId));
        } catch (Failed | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("measuring " + name + " failed: " + e, e);
        } finally {
            if (extra != null) {
                try {
                    extra.close();
                } catch (Exception e) {
                    err.println("bench: closing what ran alongside failed: " + e);
                }
            }
            // Before the next application starts: the runs never overlap.
            streams.close(CLOSE_TIMEOUT);
        }
    }

    /** Sum of the committed offsets on {@code topics}. */
    private static long sum(Map<TopicPartition, OffsetAndMetadata> offsets, Set<String> topics) {
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (topics.contains(e.getKey().topic()) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    /**
     * Records of the application's repartition topics not yet consumed and committed (0 when it has none). Under
     * exactly-once every partition ends with a transaction marker the consumer never has to commit past, so one
     * offset of lag per partition counts as none; it is only called once the input is consumed, when no
     * transaction is open any more.
     */
    static long repartitionBacklog(Admin admin, String applicationId,
                                           Map<TopicPartition, OffsetAndMetadata> committed) throws Exception {
        Set<String> repartition = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition"))
                .collect(Collectors.toSet());
        if (repartition.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(repartition).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        long backlog = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long lag = e.getValue().offset() - (c == null ? 0 : c.offset());
            if (lag > 1) {
                backlog += lag;
            }
        }
        return backlog;
    }

    /** Time spent compiling by the JIT compilers since the JVM started, or -1 where the JVM does not say. */
    private static long compilationMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** CPU time of the whole JVM (broker included), or -1 where the platform does not say. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * How much of the run the stream threads spent blocked on Kafka (the Streams thread metric
     * {@code blocked-time-ns-total}: fetches, commits, transactions; averaged over the threads) and the mean commit
     * latency: tells waiting on the broker from computing.
     */
    static String threadTime(KafkaStreams streams, double runSeconds) {
        double blocked = 0;
        int threads = 0;
        double commitLatency = 0;
        int latencies = 0;
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> e
                : streams.metrics().entrySet()) {
            if (!"stream-thread-metrics".equals(e.getKey().group())
                    || !(e.getValue().metricValue() instanceof Number v) || Double.isNaN(v.doubleValue())) {
                continue;
            }
            if (e.getKey().name().equals("blocked-time-ns-total")) {
                blocked += v.doubleValue() / 1e9;
                threads++;
            } else if (e.getKey().name().equals("commit-latency-avg")) {
                commitLatency += v.doubleValue();
                latencies++;
            }
        }
        StringBuilder b = new StringBuilder();
        if (threads > 0 && runSeconds > 0) {
            b.append(String.format(Locale.ROOT, "%.0f%% of the run blocked on Kafka", 100 * blocked / threads
                    / runSeconds));
        }
        if (latencies > 0) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "commits take %.0f ms",
                    commitLatency / latencies));
        }
        return b.toString();
    }

    /**
     * Records and bytes the application wrote per input event, by kind of topic (from the producers' per-topic
     * metrics), and the topics that took most: state and repartition writes are broker work the pass-through does
     * not have, and a few large records (state written back whole) can cost more than many small ones.
     */
    static String writes(KafkaStreams streams, long events, String applicationId) {
        Map<String, Double> records = new java.util.TreeMap<>();
        Map<String, Double> bytes = new java.util.TreeMap<>();
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> e
                : streams.metrics().entrySet()) {
            String topic = e.getKey().tags().get("topic");
            if (!"producer-topic-metrics".equals(e.getKey().group()) || topic == null
                    || !(e.getValue().metricValue() instanceof Number v)) {
                continue;
            }
            if ("record-send-total".equals(e.getKey().name())) {
                records.merge(topic, v.doubleValue(), Double::sum);
            } else if ("byte-total".equals(e.getKey().name())) {
                bytes.merge(topic, v.doubleValue(), Double::sum);
            }
        }
        if (records.isEmpty() || events <= 0) {
            return "";
        }
        double[] r = byKind(records);
        double[] by = byKind(bytes);
        return String.format(Locale.ROOT, "%n                records written per input event: %.2f state changelog,"
                        + " %.2f repartition, %.2f output; most:%s", r[0] / events, r[1] / events, r[2] / events,
                most(records, events, applicationId, "%.2f"))
                + String.format(Locale.ROOT, "%n                bytes written per input event: %.0f state changelog,"
                        + " %.0f repartition, %.0f output; most:%s", by[0] / events, by[1] / events, by[2] / events,
                most(bytes, events, applicationId, "%.0f"));
    }

    /** {changelog, repartition, other} sums. */
    private static double[] byKind(Map<String, Double> byTopic) {
        double[] sums = new double[3];
        byTopic.forEach((topic, n) -> sums[topic.endsWith("-changelog") ? 0 : topic.endsWith("-repartition") ? 1 : 2]
                += n);
        return sums;
    }

    private static String most(Map<String, Double> byTopic, long events, String applicationId, String format) {
        StringBuilder b = new StringBuilder();
        byTopic.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(4)
                .forEach(e -> b.append(' ').append(e.getKey().startsWith(applicationId + "-")
                        ? e.getKey().substring(applicationId.length() + 1) : e.getKey())
                        .append(' ').append(String.format(Locale.ROOT, format, e.getValue() / events)));
        return b.toString();
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peaks since the last reset: an upper bound of the heap in use at any moment. */
    private static long peakHeapUsed() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
