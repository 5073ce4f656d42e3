package io.asyncwatch.detect.clockskew;

import io.asyncwatch.state.ScheduledEntries;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the cluster's task (clock readings and heartbeats, projected and re-keyed by cluster): each cluster's windows,
 * judged ({@link ClusterClocks#judge}) once the slowest upstream partition's clock has passed their end plus the
 * grace. A cluster is forgotten when it has no open window.
 */
final class ClockSkewProcessor implements Processor<String, Sample, String, ClockSkewProcessor.Out> {

    static final String STORE = "clock-skew-clusters";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(ClockSkewProcessor.class);

    /** A judged window of a cluster, or (cluster null) this task's clock tick. */
    record Out(String cluster, long windowStart, List<ClusterClocks.Row> rows, long tick, String source) {
        boolean isTick() {
            return cluster == null;
        }
    }

    record Supplier(ClockSkewSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Sample, String, Out> {
        @Override
        public Processor<String, Sample, String, Out> get() {
            return new ClockSkewProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Out> context;
    private TaskStore store;
    private ScheduledEntries<ClusterClocks> clusters;
    private UpstreamClock clock;
    private String source;
    private long nodeOverflow;
    private long late;

    private ClockSkewProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.clusters = new ScheduledEntries<>(store, new ClocksKind(conf), "clusters", conf.settings().maxClusters());
        // Clock and heartbeat partitions' tasks announce themselves (learnt during the warm-up).
        this.clock = UpstreamClock.restore(store, 0);
        this.source = ClockSkew.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, Sample> record) {
        Sample sample = record.value();
        if (sample.isTick()) {
            if (clock.observe(sample.source(), sample.tick(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        String cluster = record.key();
        long now = clock.now();
        long w = conf.settings().windowMs();
        if (now != Watermarks.NONE && Math.floorDiv(record.timestamp(), w) * w + w + conf.graceMs() <= now) {
            late++; // its window was judged already (or would be judged alone): counted, logged by the tick
            return;
        }
        ClusterClocks c = clusters.get(cluster);
        if (c == null) {
            if (!clusters.admit()) {
                return; // counted; logged by the tick
            }
            c = new ClusterClocks();
        }
        c.add(sample, record.timestamp(), conf.settings());
        nodeOverflow += c.overflow;
        c.overflow = 0;
        clusters.keep(cluster, c);
    }

    private record ClocksKind(Supplier conf) implements ScheduledEntries.Kind<ClusterClocks> {
        public byte[] encode(ClusterClocks c) {
            return c.toBytes();
        }

        public ClusterClocks decode(byte[] b) {
            return ClusterClocks.fromBytes(b);
        }

        public long nextDue(ClusterClocks c) {
            return c.nextDue(conf.settings().windowMs(), conf.graceMs());
        }

        public long scheduled(ClusterClocks c) {
            return c.scheduled;
        }

        public void scheduled(ClusterClocks c, long time) {
            c.scheduled = time;
        }

        public boolean holdsNothing(ClusterClocks c) {
            return c.windows.isEmpty() && c.failStreaks.isEmpty();
        }
    }

    private void close(String cluster, ClusterClocks c, long now) {
        long w = conf.settings().windowMs();
        for (ClusterClocks.Window window : c.close(now, w, conf.graceMs())) {
            List<ClusterClocks.Row> rows = c.judgeInOrder(window, conf.settings());
            context.forward(new Record<>(cluster, new Out(cluster, window.start, rows, 0, source), window.start + w));
        }
    }

    private void sweep(long now) {
        clusters.forEachDue(now, (cluster, c) -> close(cluster, c, now));
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the alert stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Out(null, 0, List.of(), t, source),
                Watermarks.stamp(t, wall))));
        if (late > 0) {
            LOG.warn("clock-skew: task {}: {} clock readings and heartbeats arrived after their window (plus the grace)"
                    + " was judged and were not judged", context.taskId(), late);
            late = 0;
        }
        long left = clusters.drainOverflow();
        if (left > 0 || nodeOverflow > 0) {
            LOG.warn("clock-skew: task {} tracks at most {} clusters (asyncwatch.clock-skew.max-clusters) and {} nodes"
                    + " per cluster and window (max-nodes): {} samples of further clusters and {} of further nodes"
                    + " not judged", context.taskId(), clusters.cap(), conf.settings().maxNodes(), left, nodeOverflow);
            nodeOverflow = 0;
        }
    }
}
