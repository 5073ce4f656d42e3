package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Per node, on the partition its events come in on (no re-key: clock readings are keyed by node, requests by
 * service, and a node belongs to one service): readings wait out the grace period and are then judged in the node's
 * time order against the previous one ({@link ClockHealth}), so a reading that arrives late within grace gives the
 * same result as one in order. The partition's clock ticks move time and go on to the alert stage. One instance per
 * input topic: clock readings and requests are separate sequences of the node's clock.
 */
final class LogicalClockProcessor implements Processor<String, NodeReading, String, Finding> {

    static final String STORE = "logical-clock-nodes";
    static final String REQUEST_STORE = "logical-clock-request-nodes";
    private static final int VERSION = 3;
    /** Time order; within one millisecond the clocks' own order (a node's clock only moves forward), then id. */
    private static final Comparator<ClockHealth.Reading> ORDER = Comparator
            .comparingLong(ClockHealth.Reading::timestamp)
            .thenComparingLong(ClockHealth.Reading::lamport)
            .thenComparingLong(r -> r.vectorClock().values().stream().mapToLong(Long::longValue).sum())
            .thenComparing(r -> r.eventId() == null ? "" : r.eventId());
    /** Spans of left-out readings kept per node. */
    private static final int MAX_LOST = 32;
    /** Deadline lane of the idle nodes (lane 0: readings due after the grace). */
    private static final int IDLE = 1;
    /** Meta flag: every stored node has its idle deadline. */
    private static final String IDLE_LANE = "idle-lane";
    private static final java.time.Duration LOG_EVERY = java.time.Duration.ofSeconds(10);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogicalClockProcessor.class);

    /**
     * {@code store}: this instance's store; {@code label}: its findings' source name; {@code readings}: what its
     * readings are, for the alert text ("clock readings", "requests").
     */
    record Supplier(LogicalClockSettings settings, long graceMs, StoreMode storeMode, String store, String label,
                    String readings)
            implements ProcessorSupplier<String, NodeReading, String, Finding> {
        @Override
        public Processor<String, NodeReading, String, Finding> get() {
            return new LogicalClockProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(store, storeMode));
        }
    }

    /** The node's last judged reading and the readings waiting out the grace period. */
    static final class NodeClocks {
        String cluster;
        /** The node's deadline in the store (Long.MIN_VALUE: none). */
        long scheduled = Long.MIN_VALUE;
        /**
         * Time spans of readings left out over max-pending, as [from, to] pairs in order: a reading judged against one
         * on the other side of them would see their advance as a jump, so such a pair is not judged. Readings are
         * kept or left out in runs (the pending list fills, then drains as readings age out), so the spans are few;
         * beyond MAX_LOST the closest two are merged (a wider span only leaves more pairs unjudged).
         */
        final List<long[]> lost = new ArrayList<>();
        /** The latest time of a kept reading: a left-out one after it starts a new span. */
        long lastKept = Long.MIN_VALUE;
        ClockHealth.Reading last;
        final List<ClockHealth.Reading> pending = new ArrayList<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(cluster).varlong(scheduled).varlong(lastKept)
                    .varlong(lost.size());
            lost.forEach(span -> w.varlong(span[0]).varlong(span[1]));
            w.bool(last != null);
            if (last != null) {
                write(w, last);
            }
            w.varlong(pending.size());
            pending.forEach(r -> write(w, r));
            return w.bytes();
        }

        static NodeClocks fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "node clocks");
            NodeClocks n = new NodeClocks();
            n.cluster = r.str();
            n.scheduled = r.varlong();
            n.lastKept = r.varlong();
            long spans = r.varlong();
            for (long i = 0; i < spans; i++) {
                n.lost.add(new long[] {r.varlong(), r.varlong()});
            }
            if (r.bool()) {
                n.last = read(r);
            }
            long k = r.varlong();
            for (long i = 0; i < k; i++) {
                n.pending.add(read(r));
            }
            return n;
        }

        void lose(long time) {
            long[] lastSpan = lost.isEmpty() ? null : lost.get(lost.size() - 1);
            if (lastSpan != null && lastSpan[1] >= lastKept) {
                lastSpan[0] = Math.min(lastSpan[0], time);
                lastSpan[1] = Math.max(lastSpan[1], time);
                return;
            }
            lost.add(new long[] {time, time});
            lost.sort(java.util.Comparator.comparingLong(span -> span[0]));
            while (lost.size() > MAX_LOST) {
                int closest = 0;
                for (int k = 1; k + 1 < lost.size(); k++) {
                    if (lost.get(k + 1)[0] - lost.get(k)[1] < lost.get(closest + 1)[0] - lost.get(closest)[1]) {
                        closest = k;
                    }
                }
                long[] merged = {lost.get(closest)[0], Math.max(lost.get(closest)[1], lost.get(closest + 1)[1])};
                lost.set(closest, merged);
                lost.remove(closest + 1);
            }
        }

        /** Was a reading left out at a time between {@code from} and {@code to} (inclusive)? */
        boolean lostBetween(long from, long to) {
            for (long[] span : lost) {
                if (span[0] <= to && span[1] >= from) {
                    return true;
                }
            }
            return false;
        }

        private static void write(Bin.Writer w, ClockHealth.Reading r) {
            w.varlong(r.timestamp()).str(r.eventId()).varlong(r.lamport()).longMap(r.vectorClock());
        }

        private static ClockHealth.Reading read(Bin.Reader r) {
            return new ClockHealth.Reading(r.varlong(), r.str(), r.varlong(), r.longMap());
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Finding> context;
    private TaskStore store;
    /** Nodes updated since the last commit, decoded: a node's requests come many to a commit. */
    private DecodedEntries<NodeClocks> nodes;
    private KeyBudget budget;
    private String source;
    private long overflow;

    private LogicalClockProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Finding> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(conf.store()));
        this.nodes = new DecodedEntries<>(store, NodeClocks::toBytes);
        this.budget = new KeyBudget(store, "nodes", conf.settings().maxNodes());
        scheduleIdleOnce();
        // Findings and ticks name the same task, so the alert stage measures silence on this task's clock.
        this.source = conf.label() + ":" + context.taskId().partition();
        this.overflow = 0;
        context.schedule(LOG_EVERY, org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME, w -> report());
    }

    /**
     * Nodes stored by a release without idle deadlines get one, once per store: each is then forgotten like a node
     * admitted now.
     */
    private void scheduleIdleOnce() {
        if (store.meta(IDLE_LANE) != null) {
            return;
        }
        for (var kv : store.allData()) {
            NodeClocks n = NodeClocks.fromBytes(kv.value);
            store.schedule(IDLE, (n.lastKept == Long.MIN_VALUE ? 0 : n.lastKept) + idleReach(), kv.key);
        }
        store.putMeta(IDLE_LANE, new byte[] {1});
    }

    private void report() {
        long nodesLeftOut = budget.drainOverflow();
        if (overflow > 0 || nodesLeftOut > 0) {
            LOG.warn("logical clocks: task {} ({}): {} readings over asyncwatch.logical-clock.max-pending per node"
                    + " and {} readings of nodes over max-nodes not checked", context.taskId(), conf.label(),
                    overflow, nodesLeftOut);
            overflow = 0;
        }
    }

    private NodeClocks read(String node) {
        return nodes.read(node, NodeClocks::fromBytes);
    }

    @Override
    public void process(Record<String, NodeReading> record) {
        NodeReading e = record.value();
        if (e.isTick()) {
            if (e.tick() == Watermarks.NONE || e.tick() == Watermarks.IDLE) {
                return; // no readings on this partition yet: nothing to judge, no time to tell
            }
            judgeDue(e.tick());
            forgetIdle(e.tick());
            context.forward(new Record<>("", Finding.tick(AlertType.LOGICAL_CLOCK_JUMP, source, e.tick()),
                    e.tick()));
            return;
        }
        if (!e.hasClock()) {
            return;
        }
        NodeClocks n = read(e.node());
        if (n == null) {
            if (!budget.admit()) {
                return; // counted; logged every LOG_EVERY
            }
            n = new NodeClocks();
            // One idle deadline per node, moved on while the node keeps reading (see forgetIdle).
            store.schedule(IDLE, record.timestamp() + idleReach(), e.node());
        }
        if (e.cluster() != null) {
            n.cluster = e.cluster();
        }
        if (n.pending.size() < conf.settings().maxPending()) {
            long time = record.timestamp();
            n.pending.add(new ClockHealth.Reading(time, e.eventId(), e.lamport(), e.vectorClock()));
            n.lastKept = Math.max(n.lastKept, time);
            // One deadline per node and grace-long step is enough: due readings are all judged together.
            long due = time + conf.graceMs();
            if (n.scheduled == Long.MIN_VALUE || due < n.scheduled) {
                if (n.scheduled != Long.MIN_VALUE) {
                    store.cancel(n.scheduled, e.node());
                }
                store.schedule(due, e.node());
                n.scheduled = due;
            }
        } else {
            overflow++;
            n.lose(record.timestamp());
        }
        nodes.changed(e.node(), n);
    }

    /**
     * How long after a node's latest reading it is forgotten: the idle time plus the grace, so that a reading still on
     * time finds the node. Forgetting only frees memory: a pair of readings node-idle-ms or more apart is never judged
     * (see judgeDue), whether or not the node was forgotten in between.
     */
    private long idleReach() {
        return conf.settings().nodeIdleMs() + conf.graceMs();
    }

    /** Frees the nodes without a reading for node-idle-ms; a node still reading gets its next deadline. */
    private void forgetIdle(long now) {
        store.forEachDue(IDLE, now, d -> {
            store.cancel(IDLE, d.time(), d.key());
            NodeClocks n = read(d.key());
            if (n == null) {
                return;
            }
            long latest = n.lastKept;
            if (!n.pending.isEmpty() || latest + idleReach() > now) {
                store.schedule(IDLE, Math.max(latest, d.time()) + idleReach(), d.key());
                return;
            }
            if (n.scheduled != Long.MIN_VALUE) {
                store.cancel(n.scheduled, d.key());
            }
            nodes.forget(d.key());
            store.delete(d.key());
            budget.release();
        });
    }

    private void judgeDue(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            NodeClocks n = read(d.key());
            if (n == null) {
                return;
            }
            n.scheduled = Long.MIN_VALUE;
            // Time order; within one millisecond the clocks' own order (a node's clock only moves forward), then id.
            n.pending.sort(ORDER);
            // Sorted by time: the readings past the grace are a prefix.
            int k = 0;
            while (k < n.pending.size() && n.pending.get(k).timestamp() + conf.graceMs() <= now) {
                k++;
            }
            List<ClockHealth.Reading> ready = new ArrayList<>(n.pending.subList(0, k));
            n.pending.subList(0, k).clear();
            for (ClockHealth.Reading r : ready) {
                boolean acrossLoss = n.last != null && n.lostBetween(n.last.timestamp(), r.timestamp());
                // After node-idle-ms of silence a reading starts a new sequence, forgotten in between or not.
                boolean afterIdle = n.last != null && r.timestamp() - n.last.timestamp() >= conf.settings().nodeIdleMs();
                if (n.last != null && !acrossLoss && !afterIdle) {
                    for (ClockHealth.Finding f : ClockHealth.judge(n.last, r, conf.settings().alertGap())) {
                        Finding out = LogicalClockJumps.finding(d.key(), n.cluster, n.last, r, f, conf.settings(),
                                conf.readings(), source);
                        context.forward(new Record<>(out.fingerprint(), out, r.timestamp()));
                    }
                }
                n.last = r;
                // Spans wholly before the reading now judged cannot lie between later pairs.
                n.lost.removeIf(span -> span[1] < r.timestamp());
            }
            if (!n.pending.isEmpty()) {
                long next = n.pending.stream().mapToLong(ClockHealth.Reading::timestamp).min().orElseThrow()
                        + conf.graceMs();
                store.schedule(next, d.key());
                n.scheduled = next;
            }
            nodes.changed(d.key(), n);
        });
    }
}
