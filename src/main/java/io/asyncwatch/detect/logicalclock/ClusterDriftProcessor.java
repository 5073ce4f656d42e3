package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Vector clock drift per cluster (the seeds' "Node-C: drift detected"), on the cluster's task (clock readings with a
 * vector clock, projected and re-keyed by cluster; they are few): once per window of event time, each node's latest
 * reading is compared with the cluster's median of every component ({@link ClockHealth#deviations}). A node more
 * than {@code drift} away is a finding; every node's deviation is a metric.
 */
final class ClusterDriftProcessor implements Processor<String, NodeReading, String, ClusterDriftProcessor.Out> {

    static final String STORE = "logical-clock-clusters";
    static final String METRIC = "logical_clock_drift";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 2;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterDriftProcessor.class);
    /** A node's latest reading counts for this many windows. */
    private static final int STALE_WINDOWS = 5;
    /** Windows kept per node ahead of the judged one (a catch-up can bring many); beyond, readings are counted. */
    private static final int MAX_WINDOWS = 64;

    /** A finding (or tick) for the alert stage, or a metric. */
    record Out(Finding finding, Metric metric) {
    }

    record Supplier(LogicalClockSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, NodeReading, String, Out> {
        @Override
        public Processor<String, NodeReading, String, Out> get() {
            return new ClusterDriftProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private record Latest(long time, String eventId, Map<String, Long> vectorClock) {
    }

    /**
     * A cluster's readings per node: the last one of each window not yet judged, and the last one of the window
     * judged last (what a node that stays silent still counts with); and the cluster's judgement deadline.
     */
    private static final class Cluster {
        long deadline = Long.MIN_VALUE;
        final TreeMap<String, TreeMap<Long, Latest>> nodes = new TreeMap<>();

        /** Keeps {@code l} if it is its window's last reading so far; false when the node has too many windows. */
        boolean add(String node, long windowEnd, Latest l) {
            TreeMap<Long, Latest> windows = nodes.computeIfAbsent(node, k -> new TreeMap<>());
            Latest known = windows.get(windowEnd);
            if (known == null && windows.size() >= MAX_WINDOWS) {
                return false;
            }
            if (known == null || l.time() > known.time()
                    || l.time() == known.time() && String.valueOf(l.eventId()).compareTo(String.valueOf(known.eventId())) > 0) {
                windows.put(windowEnd, l);
            }
            return true;
        }

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(deadline).varlong(nodes.size());
            nodes.forEach((n, windows) -> {
                w.str(n).varlong(windows.size());
                windows.forEach((end, l) -> w.varlong(end).varlong(l.time()).str(l.eventId()).longMap(l.vectorClock()));
            });
            return w.bytes();
        }

        static Cluster fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "cluster clocks");
            Cluster c = new Cluster();
            c.deadline = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                String node = r.str();
                long k = r.varlong();
                TreeMap<Long, Latest> windows = new TreeMap<>();
                for (long j = 0; j < k; j++) {
                    windows.put(r.varlong(), new Latest(r.varlong(), r.str(), r.longMap()));
                }
                c.nodes.put(node, windows);
            }
            return c;
        }
    }

    private final Supplier conf;
    private final LogicalClockSettings s;
    private ProcessorContext<String, Out> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;
    private long overflow;
    private long late;

    private ClusterDriftProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "clusters", s.maxNodes());
        // The clock readings' partitions announce themselves: their number is not the requests topic's.
        this.clock = UpstreamClock.restore(store, 0);
        this.source = LogicalClockJumps.NAME + "-drift:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    private long windowEnd(long time) {
        return Math.floorDiv(time, s.driftWindowMs()) * s.driftWindowMs() + s.driftWindowMs();
    }

    @Override
    public void process(Record<String, NodeReading> record) {
        NodeReading r = record.value();
        if (r.isTick()) {
            if (clock.observe(r.source(), r.tick(), context.currentSystemTimeMs())) {
                judgeDue(clock.now());
            }
            return;
        }
        long time = record.timestamp();
        if (clock.now() != Watermarks.NONE && windowEnd(time) + conf.graceMs() <= clock.now()) {
            late++; // its window has been judged: counted and logged, not judged again
            return;
        }
        String key = record.key();
        byte[] raw = store.get(key);
        Cluster c;
        if (raw == null) {
            if (!budget.admit()) {
                return;
            }
            c = new Cluster();
        } else {
            c = Cluster.fromBytes(raw);
        }
        if (!c.add(r.node(), windowEnd(time), new Latest(time, r.eventId(), r.vectorClock()))) {
            overflow++;
            store.put(key, c.toBytes());
            return;
        }
        long due = windowEnd(time) + conf.graceMs();
        if (c.deadline == Long.MIN_VALUE || due < c.deadline) {
            if (c.deadline != Long.MIN_VALUE) {
                store.cancel(c.deadline, key);
            }
            store.schedule(due, key);
            c.deadline = due;
        }
        store.put(key, c.toBytes());
    }

    private void judgeDue(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            byte[] raw = store.get(d.key());
            if (raw == null) {
                return;
            }
            Cluster c = Cluster.fromBytes(raw);
            // Every due window with readings in turn (a catch-up may have many), then the next deadline.
            long end = d.time() - conf.graceMs();
            long next = judge(d.key(), c, end);
            while (next != Long.MAX_VALUE && next + conf.graceMs() <= now) {
                end = next;
                next = judge(d.key(), c, end);
            }
            c.deadline = Long.MIN_VALUE;
            if (c.nodes.isEmpty()) {
                store.delete(d.key());
                budget.release();
                return;
            }
            if (next != Long.MAX_VALUE) {
                // The next window with readings: every window with readings is judged, live or in a catch-up.
                c.deadline = next + conf.graceMs();
            } else {
                // Silent: come back when its last readings have gone stale, to forget the cluster.
                long newest = c.nodes.values().stream().mapToLong(w -> w.lastKey()).max().orElseThrow();
                c.deadline = newest + STALE_WINDOWS * s.driftWindowMs() + conf.graceMs();
            }
            store.schedule(c.deadline, d.key());
            store.put(d.key(), c.toBytes());
        });
    }

    /**
     * Judges the window ending at {@code end} on each node's last reading before it, forgets what no later window
     * needs, and returns the end of the next window with readings (Long.MAX_VALUE: none yet).
     */
    private long judge(String cluster, Cluster c, long end) {
        long start = end - s.driftWindowMs();
        long stale = end - STALE_WINDOWS * s.driftWindowMs();
        Map<String, Map<String, Long>> latest = new TreeMap<>();
        c.nodes.forEach((node, windows) -> {
            Map.Entry<Long, Latest> last = windows.floorEntry(end);
            if (last != null && last.getValue().time() >= stale) {
                latest.put(node, last.getValue().vectorClock());
            }
        });
        for (ClockHealth.Deviation dev : ClockHealth.deviations(latest, -1)) {
            context.forward(new Record<>(dev.node(), new Out(null, metric(cluster, dev, start, end)), end));
            if (s.drift() > 0 && Math.abs(dev.deviation()) > s.drift()) {
                Finding f = LogicalClockJumps.drift(cluster, dev, latest, s, start, end, source);
                context.forward(new Record<>(f.fingerprint(), new Out(f, null), end));
            }
        }
        // Keep each node's last window up to this one (it still counts while fresh) and the windows after it.
        long next = Long.MAX_VALUE;
        for (var it = c.nodes.entrySet().iterator(); it.hasNext(); ) {
            TreeMap<Long, Latest> windows = it.next().getValue();
            Long lastJudged = windows.floorKey(end);
            if (lastJudged != null) {
                windows.headMap(lastJudged, false).clear();
                if (windows.get(lastJudged).time() < stale) {
                    windows.remove(lastJudged);
                }
            }
            if (windows.isEmpty()) {
                it.remove();
                continue;
            }
            Long after = windows.higherKey(end);
            if (after != null) {
                next = Math.min(next, after);
            }
        }
        return next;
    }

    private static Metric metric(String cluster, ClockHealth.Deviation dev, long start, long end) {
        Map<String, Double> values = new TreeMap<>();
        values.put("deviation", (double) dev.deviation());
        values.put("value", (double) dev.value());
        values.put("median", (double) dev.median());
        return new Metric(METRIC, Map.of("cluster", cluster, "node", dev.node()), start, end, values,
                Map.of("component", dev.component()));
    }

    private void tick(long wall) {
        // Announced before it starts, so the alert stage knows this task and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Out(
                Finding.tick(AlertType.LOGICAL_CLOCK_JUMP, source, t), null), Watermarks.stamp(t, wall))));
        long left = budget.drainOverflow();
        if (overflow > 0 || left > 0 || late > 0) {
            LOG.warn("logical clock drift: task {}: readings not compared: {} over {} windows per node ahead of the"
                    + " clock, {} of new clusters beyond asyncwatch.logical-clock.max-nodes clusters per task, {}"
                    + " arriving after their window was judged (later than the grace)", context.taskId(), overflow,
                    MAX_WINDOWS, left, late);
            overflow = 0;
            late = 0;
        }
    }
}
