package io.asyncwatch.demo;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code asyncwatch bench}: how fast the production topology consumes request events on the embedded broker with
 * exactly-once processing. The input is produced first (the demo's traffic, scaled up), then the application
 * starts on it; the clock runs from {@code KafkaStreams.start()} until the application's committed offsets on
 * the requests topic reach its end offsets.
 */
public final class Benchmark {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 200;

    private Benchmark() {
    }

    public static int run(AsyncwatchConfig config, long events, PrintStream out, PrintStream err) {
        if (events <= 0) {
            throw new IllegalArgumentException("--events must be positive, got " + events);
        }
        // A scaled demo plan: the demo's services and storm, enough volume and minutes to reach the count.
        TrafficGenerator.Plan unit = TrafficGenerator.demoPlan(0, Demo.SEED);
        int scale = (int) Math.max(1, Math.min(10_000, events / (unit.normalEventsPerMinute() * unit.minutes())));
        long perMinute = TrafficGenerator.demoPlan(0, 1, scale, Demo.SEED).normalEventsPerMinute();
        int minutes = (int) Math.ceil(events * 1.05 / perMinute) + 2;
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(minutes, ChronoUnit.MINUTES);
        TrafficGenerator.Plan plan = TrafficGenerator.demoPlan(start.toEpochMilli(), minutes, scale, Demo.SEED);
        List<TrafficGenerator.Service> services = plan.services();

        CtrlC stop = new CtrlC("asyncwatch-bench-shutdown", Duration.ofSeconds(60));

        Path tempRoot = null;
        EmbeddedKafka broker = null;
        KafkaStreams streams = null;
        Admin admin = null;
        try {
            tempRoot = Files.createTempDirectory("asyncwatch-bench-");
            err.println("bench: starting Kafka (single-node KRaft, in-process) in " + tempRoot);
            broker = EmbeddedKafka.start(tempRoot.resolve("kafka"));
            AsyncwatchConfig cfg = Demo.onBroker(config, broker);
            Map<String, Integer> partitions = Demo.createTopics(cfg);
            List<String> inputTopics = Demo.inputTopics(cfg);
            int inputPartitions = partitions.get(cfg.topics().requests());

            long produced = produce(cfg, plan, events, stop, err);
            if (stop.requested()) {
                err.println("bench: interrupted");
                return 1;
            }

            admin = Admin.create(StreamsRunner.adminProperties(cfg));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : inputTopics) {
                for (int p = 0; p < partitions.get(topic); p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            long endTotal = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info
                    : admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).values()) {
                endTotal += info.offset();
            }
            if (endTotal != produced) {
                err.printf("bench: note: the input topics hold %,d records, %,d were produced%n", endTotal,
                        produced);
            }

            String applicationId = "asyncwatch-bench-" + System.currentTimeMillis();
            Properties props = Demo.streamsProperties(cfg, applicationId, tempRoot.resolve("streams"));
            streams = new KafkaStreams(AsyncwatchTopology.build(cfg), props);
            Demo.ErrorTracker errors = new Demo.ErrorTracker();
            errors.attach(streams, err);
            System.gc();
            resetPeakHeap();
            err.printf("bench: starting asyncwatch on %,d events (application.id %s, exactly_once_v2)%n", endTotal,
                    applicationId);

            long t0 = System.nanoTime();
            streams.start();
            long firstCommitNanos = -1;
            long committedAtFirst = 0;
            long inputDoneNanos = -1;
            long nextProgress = t0 + PROGRESS_EVERY.toNanos();
            long deadline = t0 + Duration.ofSeconds(Math.max(300, endTotal / 2_000)).toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long committed = sum(offsets, inputTopics);
                long now = System.nanoTime();
                if (committed > 0 && firstCommitNanos < 0) {
                    firstCommitNanos = now;
                    committedAtFirst = committed;
                }
                if (committed >= endTotal && inputDoneNanos < 0) {
                    inputDoneNanos = now;
                }
                long backlog = inputDoneNanos >= 0 ? internalBacklog(admin, applicationId, offsets) : -1;
                if (backlog == 0) {
                    break;
                }
                if (now > nextProgress) {
                    err.printf("bench: %,d of %,d input events consumed%s after %.0f s%n", committed, endTotal,
                            backlog > 0 ? String.format(Locale.ROOT, ", %,d repartitioned records still to process",
                                    backlog) : "", (now - t0) / 1e9);
                    nextProgress += PROGRESS_EVERY.toNanos();
                }
                if (now > deadline) {
                    err.printf("bench: FAILED: not done after %.0f s (%,d of %,d events consumed)%n",
                            (now - t0) / 1e9, committed, endTotal);
                    return 1;
                }
                if (errors.awaitFailure(POLL_MILLIS)) {
                    err.println("bench: asyncwatch stopped with an error: " + errors.describe());
                    return 1;
                }
                if (stop.requested()) {
                    err.println("bench: interrupted");
                    return 1;
                }
            }
            long t1 = System.nanoTime();
            double seconds = (t1 - t0) / 1e9;
            double inputSeconds = (inputDoneNanos - t0) / 1e9;
            double startup = (firstCommitNanos - t0) / 1e9;
            double steadySeconds = (t1 - firstCommitNanos) / 1e9;
            long peakHeap = peakHeapUsed();
            long maxHeap = Runtime.getRuntime().maxMemory();

            out.println("asyncwatch benchmark");
            out.printf("  events       %,d events on the input topics (%s, %d services, scale %d, %d min of event"
                            + " time), %d request partitions%n", endTotal, cfg.inputFormat().name().toLowerCase(Locale.ROOT),
                    services.size(), scale, minutes, inputPartitions);
            out.printf("  wall time    %.1f s from start until every stage had processed all input (input topic"
                    + " consumed after %.1f s; startup until the first commit %.1f s)%n", seconds, inputSeconds,
                    startup);
            out.printf("  throughput   %,.0f events/s end to end%s%n", endTotal / seconds,
                    steadySeconds > 0.5 ? String.format(Locale.ROOT, " (%,.0f events/s after startup)",
                            (endTotal - committedAtFirst) / steadySeconds) : "");
            out.printf("  peak heap    %,d MiB used of %,d MiB max (whole JVM, broker included)%n",
                    peakHeap >> 20, maxHeap >> 20);
            out.printf("  setup        %s, %s stream thread(s), %s state stores, embedded single-node broker,"
                            + " %d CPUs, Java %s%n", props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    props.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"),
                    cfg.inMemoryStores() ? "in-memory" : "RocksDB", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            out.printf("  reproduce    ./asyncwatch bench --events %d%n", events);
            out.flush();
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bench: interrupted");
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark failed: " + e, e);
        } finally {
            if (streams != null) {
                streams.close(CLOSE_TIMEOUT);
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (broker != null) {
                broker.close();
            }
            if (tempRoot != null) {
                Demo.deleteRecursively(tempRoot, err);
            }
            stop.close();
            Demo.reportLingeringThreads(err);
        }
    }

    private static long produce(AsyncwatchConfig cfg, TrafficGenerator.Plan plan, long events, CtrlC stop,
                                PrintStream err) {
        Topics topics = Topics.from(cfg);
        AtomicReference<Exception> sendError = new AtomicReference<>();
        long produced = 0;
        long t0 = System.nanoTime();
        long step = Math.max(1, events / 5);
        try (KafkaProducer<String, byte[]> producer = Demo.producer(cfg)) {
            Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan);
            while (produced < events && it.hasNext()) {
                producer.send(Demo.toRecord(cfg, topics, it.next()), (md, e) -> {
                    if (e != null) {
                        sendError.compareAndSet(null, e);
                    }
                });
                produced++;
                if (produced % step == 0 && produced < events) {
                    err.printf("bench: produced %,d of %,d events%n", produced, events);
                    if (stop.requested()) {
                        return produced;
                    }
                }
            }
            producer.flush();
        }
        if (sendError.get() != null) {
            throw new IllegalStateException("producing the benchmark input failed: " + sendError.get(),
                    sendError.get());
        }
        err.printf("bench: produced %,d events in %.1f s%n", produced, (System.nanoTime() - t0) / 1e9);
        return produced;
    }

    /** Sum of the committed offsets on {@code topics}. */
    private static long sum(Map<TopicPartition, OffsetAndMetadata> offsets, List<String> topics) {
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (topics.contains(e.getKey().topic()) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    /**
     * Records of the application's repartition topics not yet consumed and committed. Under exactly-once every
     * partition ends with a transaction marker the consumer never has to commit past, so one offset of lag per
     * partition counts as none; it is only called once the input is consumed, when no transaction is open any more.
     */
    private static long internalBacklog(Admin admin, String applicationId,
                                        Map<TopicPartition, OffsetAndMetadata> committed) throws Exception {
        Set<String> repartition = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition"))
                .collect(Collectors.toSet());
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
