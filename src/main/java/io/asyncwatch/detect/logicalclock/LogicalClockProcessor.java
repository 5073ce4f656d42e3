package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.serde.Bin;
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
 * Per node, on the clock readings' own partition (keyed by node, no re-key): readings wait out the grace period and
 * are then judged in the node's time order against the previous one ({@link ClockHealth}), so a reading that arrives
 * late within grace gives the same result as one in order. The partition's clock ticks move time and go on to the
 * alert stage.
 */
final class LogicalClockProcessor implements Processor<String, Accepted<ClockEvent>, String, Finding> {

    static final String STORE = "logical-clock-nodes";
    private static final int VERSION = 1;

    record Supplier(LogicalClockSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Accepted<ClockEvent>, String, Finding> {
        @Override
        public Processor<String, Accepted<ClockEvent>, String, Finding> get() {
            return new LogicalClockProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    /** The node's last judged reading and the readings waiting out the grace period. */
    private static final class NodeClocks {
        String cluster;
        ClockHealth.Reading last;
        final List<ClockHealth.Reading> pending = new ArrayList<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(cluster).bool(last != null);
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
            if (r.bool()) {
                n.last = read(r);
            }
            long k = r.varlong();
            for (long i = 0; i < k; i++) {
                n.pending.add(read(r));
            }
            return n;
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
    private KeyBudget budget;
    private String source;

    private LogicalClockProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Finding> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "nodes", conf.settings().maxNodes());
        // Findings and ticks name the same task, so the alert stage measures silence on this task's clock.
        this.source = LogicalClockJumps.NAME + ":" + context.taskId().partition();
    }

    @Override
    public void process(Record<String, Accepted<ClockEvent>> record) {
        Accepted<ClockEvent> a = record.value();
        if (a.isTick()) {
            if (a.clock() == Watermarks.NONE || a.clock() == Watermarks.IDLE) {
                return; // no readings on this partition yet: nothing to judge, no time to tell
            }
            judgeDue(a.clock());
            context.forward(new Record<>("", Finding.tick(AlertType.LOGICAL_CLOCK_JUMP, source, a.clock()),
                    a.clock()));
            return;
        }
        ClockEvent e = a.event();
        boolean hasVector = e.vectorClock() != null && !e.vectorClock().isEmpty();
        if (e.lamport() == null && !hasVector) {
            return;
        }
        byte[] raw = store.get(e.node());
        NodeClocks n;
        if (raw == null) {
            if (!budget.admit()) {
                return;
            }
            n = new NodeClocks();
        } else {
            n = NodeClocks.fromBytes(raw);
        }
        n.cluster = e.cluster();
        if (n.pending.size() < conf.settings().maxPending()) {
            long time = record.timestamp();
            n.pending.add(new ClockHealth.Reading(time, e.eventId(), e.lamport() == null ? -1 : e.lamport(),
                    hasVector ? e.vectorClock() : Map.of()));
            store.schedule(time + conf.graceMs(), e.node());
        }
        store.put(e.node(), n.toBytes());
    }

    private void judgeDue(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            byte[] raw = store.get(d.key());
            if (raw == null) {
                return;
            }
            NodeClocks n = NodeClocks.fromBytes(raw);
            n.pending.sort(Comparator.comparingLong(ClockHealth.Reading::timestamp)
                    .thenComparing(r -> r.eventId() == null ? "" : r.eventId()));
            List<ClockHealth.Reading> ready = new ArrayList<>();
            for (ClockHealth.Reading r : n.pending) {
                if (r.timestamp() + conf.graceMs() <= now) {
                    ready.add(r);
                }
            }
            n.pending.removeAll(ready);
            for (ClockHealth.Reading r : ready) {
                if (n.last != null) {
                    for (ClockHealth.Finding f : ClockHealth.judge(n.last, r, conf.settings().alertGap())) {
                        Finding out = LogicalClockJumps.finding(d.key(), n.cluster, n.last, r, f, conf.settings(),
                                source);
                        context.forward(new Record<>(out.fingerprint(), out, r.timestamp()));
                    }
                }
                n.last = r;
            }
            store.put(d.key(), n.toBytes());
        });
    }
}
