package io.asyncwatch.detect.heartbeats;

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
 * On the cluster's task (heartbeats, projected and re-keyed by cluster): each cluster's {@link ClusterView}. Its clock
 * is the slowest heartbeat partition's, sent as ticks every second, so silence is noticed while it lasts (a silent
 * node's partition still ticks) and a partition running ahead cannot make a node look silent.
 */
final class ClusterProcessor implements Processor<String, Beat, String, ClusterProcessor.Out> {

    static final String STORE = "heartbeats-clusters";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(ClusterProcessor.class);

    /** What a cluster revealed, or (cluster null) this task's clock tick. */
    record Out(String cluster, ClusterView.Outcome outcome, long tick, String source) {
        boolean isTick() {
            return cluster == null;
        }
    }

    record Supplier(HeartbeatSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Beat, String, Out> {
        @Override
        public Processor<String, Beat, String, Out> get() {
            return new ClusterProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Out> context;
    private TaskStore store;
    private ScheduledEntries<ClusterView> clusters;
    private UpstreamClock clock;
    private String source;
    private long nodeOverflow;

    private ClusterProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.clusters = new ScheduledEntries<>(store, new ClusterKind(conf), "clusters", conf.settings().maxClusters());
        // The heartbeat partitions' tasks announce themselves (learnt during the warm-up): their number is the
        // requests topic's only while the input topics share a sub-topology.
        this.clock = UpstreamClock.restore(store, 0);
        this.source = Heartbeats.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, Beat> record) {
        Beat b = record.value();
        if (b.isTick()) {
            if (clock.observe(b.source(), b.tick(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        String cluster = record.key();
        ClusterView view = clusters.get(cluster);
        if (view == null) {
            if (!clusters.admit()) {
                return; // counted; logged by the tick
            }
            view = new ClusterView(conf.settings(), conf.graceMs());
        }
        // On arrival (the record's timestamp is the arrival too, except for a record the previous release sent).
        emit(cluster, view.heartbeat(b, ClusterView.arrival(b, record.timestamp())));
        long now = clock.now();
        if (now != Watermarks.NONE && view.nextDue() <= now) {
            emit(cluster, view.advance(now)); // late: past the grace already
        }
        nodeOverflow += view.overflow;
        view.overflow = 0;
        clusters.keep(cluster, view);
    }

    private record ClusterKind(Supplier conf) implements ScheduledEntries.Kind<ClusterView> {
        public byte[] encode(ClusterView v) {
            return v.toBytes();
        }

        public ClusterView decode(byte[] b) {
            return ClusterView.fromBytes(b, conf.settings(), conf.graceMs());
        }

        public long nextDue(ClusterView v) {
            return v.nextDue();
        }

        public long scheduled(ClusterView v) {
            return v.scheduled;
        }

        public void scheduled(ClusterView v, long time) {
            v.scheduled = time;
        }

        public boolean holdsNothing(ClusterView v) {
            return v.isEmpty();
        }
    }

    private void emit(String cluster, List<ClusterView.Outcome> outcomes) {
        for (ClusterView.Outcome o : outcomes) {
            long time;
            if (o instanceof ClusterView.Suspected x) {
                time = x.at();
            } else if (o instanceof ClusterView.FalseDeath x) {
                time = x.back();
            } else {
                time = ((ClusterView.Closed) o).window().start + conf.settings().windowMs();
            }
            context.forward(new Record<>(cluster, new Out(cluster, o, 0, source), time));
        }
    }

    private void sweep(long now) {
        clusters.forEachDue(now, (cluster, view) -> emit(cluster, view.advance(now)));
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the alert stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Out(null, null, t, source),
                Watermarks.stamp(t, wall))));
        long left = clusters.drainOverflow();
        if (left > 0 || nodeOverflow > 0) {
            LOG.warn("heartbeats: task {} tracks at most {} clusters (asyncwatch.heartbeats.max-clusters) and {} nodes"
                    + " per cluster (max-nodes): {} heartbeats of further clusters and {} of further nodes not"
                    + " checked", context.taskId(), clusters.cap(), conf.settings().maxNodes(), left, nodeOverflow);
            nodeOverflow = 0;
        }
    }
}
