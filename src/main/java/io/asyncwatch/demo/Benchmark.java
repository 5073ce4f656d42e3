package io.asyncwatch.demo;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code asyncwatch bench}: how fast the production topology consumes the input topics on the embedded broker with
 * exactly-once processing, next to what the same broker and Streams settings allow at all. The input (the demo's
 * traffic of all three event types, scaled up) is produced once; then a pass-through application (bytes in, bytes
 * out) and then asyncwatch each consume all of it, one after the other, timed by the same {@link ThroughputRun}.
 */
public final class Benchmark {

    /** The pass-through application's output topic. */
    public static final String PASS_THROUGH_OUTPUT = "asyncwatch-bench.pass-through";
    private static final String HOOK_NAME = "asyncwatch-bench-shutdown";

    private Benchmark() {
    }

    /**
     * The baseline: every input record copied unchanged to {@code outputTopic}, no decoding, no state. Whatever
     * asyncwatch costs beyond this is its own work; this much the broker, the exactly-once transactions and the
     * Streams runtime cost anyway.
     */
    public static Topology passThrough(Collection<String> inputTopics, String outputTopic) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(inputTopics, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("pass-through-in"))
                .to(outputTopic, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("pass-through-out"));
        return builder.build();
    }

    /**
     * @param entities  distinct entities written in one minute in the middle of the input, on top of the demo traffic
     *                  (the concurrent-write detector's state at its largest); 0: none
     * @param dashboard run the dashboard beside asyncwatch, with a page open and Prometheus scraping
     */
    public static int run(AsyncwatchConfig config, long events, int rounds, int entities, boolean dashboard,
                          PrintStream out, PrintStream err) {
        if (events <= 0) {
            throw new IllegalArgumentException("--events must be positive, got " + events);
        }
        if (entities < 0 || entities >= events) {
            throw new IllegalArgumentException("--entities must be 0 to fewer than --events, got " + entities);
        }
        if (rounds < 1 || rounds > 10) {
            throw new IllegalArgumentException("--rounds must be 1 to 10, got " + rounds);
        }
        int scale = scale(events - entities);
        Plan plan = plan(events - entities, scale, entities);
        CtrlC stop = new CtrlC(HOOK_NAME, Duration.ofSeconds(60));
        try (DemoBroker broker = DemoBroker.start(config, null, "bench", err)) {
            AsyncwatchConfig cfg = broker.config();
            TopicSetup topics = TopicSetup.create(cfg);
            List<String> inputs = topics.inputTopics();
            topics.createTopic(PASS_THROUGH_OUTPUT, topics.partitionCount(cfg.topics().requests()));

            TrafficProducer.Produced produced = produce(cfg, plan, events, stop, err);
            if (stop.requested()) {
                err.println("bench: interrupted");
                return 1;
            }
            long endTotal = topics.endOffsets(inputs).values().stream().mapToLong(Long::longValue).sum();
            if (endTotal != produced.total()) {
                err.printf("bench: note: the input topics hold %,d records, %,d were produced%n", endTotal,
                        produced.total());
            }

            long runId = System.currentTimeMillis();
            List<ThroughputRun.Result[]> results = new java.util.ArrayList<>();
            List<Long> stateBytes = new java.util.ArrayList<>();
            Properties awProps = null;
            for (int round = 1; round <= rounds; round++) {
                // Fresh application ids each round: every round processes all the input from its start.
                Properties passProps = broker.streamsProperties("asyncwatch-bench-pass-through-" + runId + "-" + round);
                awProps = broker.streamsProperties("asyncwatch-bench-" + runId + "-" + round);
                ThroughputRun.Result pass = ThroughputRun.measure("pass-through",
                        passThrough(inputs, PASS_THROUGH_OUTPUT), passProps, cfg, inputs, endTotal, stop, err);
                ThroughputRun.Result asyncwatch = ThroughputRun.measure("asyncwatch", AsyncwatchTopology.build(cfg),
                        awProps, cfg, inputs, endTotal, stop, err,
                        dashboard ? streams -> DashboardLoad.start(cfg, streams, err) : null);
                results.add(new ThroughputRun.Result[] {pass, asyncwatch});
                stateBytes.add(directorySize(java.nio.file.Path.of(awProps.getProperty(
                        StreamsConfig.STATE_DIR_CONFIG))));
            }

            report(out, cfg, plan, scale, produced, endTotal, topics, awProps, results, stateBytes, events, entities);
            return 0;
        } catch (ThroughputRun.Failed e) {
            err.println("bench: FAILED: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bench: interrupted");
            return 1;
        } finally {
            stop.close();
            LingeringThreads.report(err, HOOK_NAME);
        }
    }

    /** The demo's volume multiplier that reaches {@code events} in about the demo's length of event time. */
    static int scale(long events) {
        Plan unit = TrafficGenerator.demoPlan(0, Demo.SEED);
        return (int) Math.max(1, Math.min(10_000, events / (unit.normalEventsPerMinute() * unit.minutes())));
    }

    /**
     * The demo plan (services, clusters, scenarios) at {@code scale}, long enough to hold {@code events}; with
     * {@code entities}, that many distinct entities written in its middle minute too.
     */
    static Plan plan(long events, int scale, int entities) {
        long perMinute = TrafficGenerator.demoPlan(0, 1, scale, Demo.SEED).normalEventsPerMinute();
        int minutes = (int) Math.ceil(events * 1.05 / perMinute) + 2;
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(minutes, ChronoUnit.MINUTES);
        Plan demo = TrafficGenerator.demoPlan(start.toEpochMilli(), minutes, scale, Demo.SEED);
        if (entities == 0) {
            return demo;
        }
        List<Scenario> scenarios = new java.util.ArrayList<>(demo.scenarios());
        scenarios.add(new EntityFlood("svc-user", minutes / 2, entities));
        return new Plan(demo.startTime(), demo.minutes(), demo.services(), demo.clusters(), scenarios, demo.seed());
    }

    private static long directorySize(java.nio.file.Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            return files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** Peak resident set size of this JVM (VmHWM), or -1 where /proc is not available. */
    private static long peakRss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux.
        }
        return -1;
    }

    private static TrafficProducer.Produced produce(AsyncwatchConfig cfg, Plan plan, long events, CtrlC stop,
                                                    PrintStream err) {
        long t0 = System.nanoTime();
        long step = Math.max(1, events / 5);
        TrafficProducer.Produced produced = new TrafficProducer(cfg).produce(TrafficGenerator.events(plan), events,
                (sent, next) -> {
                    if (sent == 0 || sent % step != 0) {
                        return true;
                    }
                    err.printf("bench: produced %,d of %,d events%n", sent, events);
                    return !stop.requested();
                });
        err.printf("bench: produced %,d events (%s) in %.1f s%n", produced.total(), produced.describe(),
                (System.nanoTime() - t0) / 1e9);
        return produced;
    }

    private static void report(PrintStream out, AsyncwatchConfig cfg, Plan plan, int scale,
                               TrafficProducer.Produced produced, long endTotal, TopicSetup topics,
                               Properties props, List<ThroughputRun.Result[]> rounds, List<Long> stateBytes,
                               long events, int entities) {
        int nodes = plan.clusters().stream().mapToInt(c -> c.nodes().size()).sum();
        long maxHeap = Runtime.getRuntime().maxMemory();
        out.println("asyncwatch benchmark");
        out.printf("  events        %,d on the input topics (%s; %s, %d services and %d nodes, scale %d, %d min of"
                        + " event time), input partitions %s%n", endTotal, produced.describe(),
                cfg.inputFormat().name().toLowerCase(Locale.ROOT), plan.services().size(), nodes, scale,
                plan.minutes(), topics.inputTopics().stream().map(t -> String.valueOf(topics.partitionCount(t)))
                        .collect(Collectors.joining("/")));
        for (int i = 0; i < rounds.size(); i++) {
            ThroughputRun.Result pass = rounds.get(i)[0];
            ThroughputRun.Result asyncwatch = rounds.get(i)[1];
            out.printf("  round %d       %s%n", i + 1, i == 0 ? "cold JVM (includes JIT warm-up)"
                    : "warm JVM (same input again, fresh application ids)");
            line(out, pass);
            line(out, asyncwatch);
            out.printf("  ratio         %.2f (asyncwatch / pass-through, events/s end to end, round %d)%n",
                    asyncwatch.eventsPerSecond() / pass.eventsPerSecond(), i + 1);
            out.printf("  peak heap     pass-through %,d MiB, asyncwatch %,d MiB, of %,d MiB max (whole JVM, broker"
                    + " included)%n", pass.peakHeapBytes() >> 20, asyncwatch.peakHeapBytes() >> 20, maxHeap >> 20);
            out.printf("  state dir     asyncwatch %,d MiB after the run (RocksDB stores, checkpoints)%n",
                    stateBytes.get(i) >> 20);
        }
        if (entities > 0) {
            out.printf("  entities      %,d distinct entities written in minute %d (one write each, vector clocks),"
                    + " within the concurrent-write horizon of %,d ms%n", entities, plan.minutes() / 2,
                    cfg.settings(io.asyncwatch.detect.concurrentwrites.ConcurrentWriteSettings.SPEC).horizonMs());
        }
        out.printf("  peak RSS      %,d MiB (whole JVM: broker, generator and every round)%n", peakRss() >> 20);
        out.printf("  setup         %s, %s stream thread(s) each, %s state stores, embedded single-node broker,"
                        + " %d CPUs, Java %s%n", props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                props.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"),
                cfg.inMemoryStores() ? "in-memory (alert episodes on RocksDB)"
                        : "in-memory (alert episodes and traces on RocksDB)",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        out.printf("  reproduce     ./asyncwatch bench --events %d --rounds %d%s%n", events, rounds.size(),
                entities > 0 ? " --entities " + entities : "");
        out.flush();
    }

    /** "  asyncwatch    45,000 events/s end to end (...)" */
    private static void line(PrintStream out, ThroughputRun.Result r) {
        double steady = r.eventsPerSecondAfterStartup();
        out.printf("  %-13s %,.0f events/s end to end%s; %.1f s from start until all input was processed (input"
                        + " topics consumed after %.1f s, first commit after %.1f s)%n", r.name(),
                r.eventsPerSecond(), Double.isNaN(steady) ? ""
                        : String.format(" (%,.0f events/s after startup)", steady),
                r.seconds(), r.inputSeconds(), r.startupSeconds());
        out.printf("  %-13s CPU %.0f s over %.0f s (%.0f%% of %d cores, whole JVM%s); stream threads: %s%n", "",
                r.cpuSeconds(), r.seconds(), 100 * r.cpuSeconds() / r.seconds()
                        / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors(), Double.isNaN(r.jitSeconds()) ? ""
                        : String.format(", of which JIT compiling %.0f s", r.jitSeconds()),
                r.threadTime().isEmpty() ? "no metrics" : r.threadTime());
    }
}
