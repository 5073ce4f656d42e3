package io.asyncwatch.detect.calls;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges every input partition's partial counts per service and closes each window once the slowest input
 * partition's clock ({@link Watermarks}) has passed its end plus grace: by then every partition has flushed what
 * it counted in it, so the closed window is the same live, after a crash and in replay. One deadline per service
 * (its oldest open window), so closing reads only services that are due; a service is forgotten as soon as it has
 * no open window.
 *
 * <p>This task's clock goes downstream as ticks, after the windows it closed: the stages after it (and the alert
 * stage) judge silence by it.
 */
final class CallWindowsProcessor implements Processor<String, CallPartial, String, ServiceWindow> {

    static final String STORE = "call-windows";
    /** Destinations kept per service and window while it is open: this many times max-destinations. */
    private static final int HARD_CAP = 10;
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(CallWindowsProcessor.class);

    record Supplier(CallWindowSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, CallPartial, String, ServiceWindow> {
        @Override
        public Processor<String, CallPartial, String, ServiceWindow> get() {
            return new CallWindowsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, ServiceWindow> context;
    private TaskStore store;
    /** Open windows kept decoded within a commit interval: a service's partials arrive from every input task. */
    private DecodedEntries<Open> open;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;

    private CallWindowsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, ServiceWindow> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.open = new DecodedEntries<>(store, Open::toBytes);
        this.budget = new KeyBudget(store, "services", conf.settings().maxServices());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = CallWindows.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, CallPartial> record) {
        CallPartial p = record.value();
        if (p.isTick()) {
            if (clock.observe(p.source(), p.tick(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        Open s = read(p.service());
        if (s == null) {
            if (!budget.admit()) {
                return; // counted; logged by the tick
            }
            s = new Open();
        } else {
            store.cancel(deadline(s), p.service());
        }
        // Deterministic if a service's events disagree on its layer: arrival order must not decide.
        s.layer = s.layer == null || p.layer() != null && p.layer().compareTo(s.layer) < 0 ? p.layer() : s.layer;
        long w = conf.settings().windowMs();
        long now = clock.now();
        boolean late = p.windowStart() < s.closedBefore
                || now != Watermarks.NONE && p.windowStart() + w + conf.graceMs() <= now;
        if (late) {
            // Only an input partition that joined late (idle until now) can send these: counted, not merged.
            long into = Math.max(s.closedBefore, now == Watermarks.NONE ? p.windowStart()
                    : conf.settings().windowStart(now - conf.graceMs()));
            CallStats counted = edge(s, into, p.destination());
            counted.late += p.stats().attempts + p.stats().late;
        } else {
            edge(s, p.windowStart(), p.destination()).merge(p.stats());
        }
        open.changed(p.service(), s);
        store.schedule(deadline(s), p.service());
    }

    /** A service's open windows, as held decoded or else as stored; null when it has none. */
    private Open read(String service) {
        return open.read(service, Open::fromBytes);
    }

    private CallStats edge(Open s, long windowStart, String destination) {
        Map<String, CallStats> edges = s.windows.computeIfAbsent(windowStart, k -> new TreeMap<>());
        // Which destinations are kept is decided when the window closes (the busiest); this only bounds memory.
        String d = edges.containsKey(destination) || edges.size() < HARD_CAP * conf.settings().maxDestinations()
                ? destination : CallWindowSettings.OTHER;
        return edges.computeIfAbsent(d, k -> new CallStats());
    }

    /** The busiest {@code max-destinations} (by attempts, then name), the rest merged into "(other)". */
    private Map<String, CallStats> capped(Map<String, CallStats> edges) {
        long max = conf.settings().maxDestinations();
        if (edges.size() <= max) {
            return edges;
        }
        List<Map.Entry<String, CallStats>> ranked = new ArrayList<>(edges.entrySet());
        ranked.removeIf(e -> e.getKey().equals(CallWindowSettings.OTHER));
        ranked.sort(Comparator.comparingLong((Map.Entry<String, CallStats> e) -> -e.getValue().attempts)
                .thenComparing(Map.Entry::getKey));
        Map<String, CallStats> out = new TreeMap<>();
        CallStats other = edges.getOrDefault(CallWindowSettings.OTHER, new CallStats());
        for (int i = 0; i < ranked.size(); i++) {
            if (i < max - 1) {
                out.put(ranked.get(i).getKey(), ranked.get(i).getValue());
            } else {
                other.merge(ranked.get(i).getValue());
            }
        }
        out.put(CallWindowSettings.OTHER, other);
        return out;
    }

    private long deadline(Open s) {
        return s.windows.isEmpty() ? 0 : s.windows.firstKey() + conf.settings().windowMs() + conf.graceMs();
    }

    private void tick(long wall) {
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("call-windows: {} services with open windows in task {} (asyncwatch.call-windows.max-services):"
                    + " {} partial counts of further services were not counted", budget.cap(), context.taskId(),
                    overflow);
        }
        // Announced before it starts, so the stages after the next re-key wait for this task.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", ServiceWindow.tick(source, t),
                Watermarks.stamp(t, wall))));
    }

    private void sweep(long now) {
        store.forEachDue(now, entry -> {
            store.cancel(entry.time(), entry.key());
            Open s = read(entry.key());
            if (s == null) {
                return;
            }
            long w = conf.settings().windowMs();
            while (!s.windows.isEmpty() && s.windows.firstKey() + w + conf.graceMs() <= now) {
                Map.Entry<Long, Map<String, CallStats>> closed = s.windows.pollFirstEntry();
                long start = closed.getKey();
                s.closedBefore = start + w;
                context.forward(new Record<>(entry.key(), new ServiceWindow(entry.key(), s.layer, start, start + w,
                        capped(closed.getValue()), source, 0), start + w));
            }
            if (s.windows.isEmpty()) {
                open.forget(entry.key());
                store.delete(entry.key());
                budget.release();
            } else {
                open.changed(entry.key(), s);
                store.schedule(deadline(s), entry.key());
            }
        });
    }

    /** The open windows of one service. */
    private static final class Open {
        private static final int VERSION = 1;
        String layer;
        long closedBefore = Long.MIN_VALUE;
        final TreeMap<Long, Map<String, CallStats>> windows = new TreeMap<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(layer).varlong(closedBefore).varlong(windows.size());
            windows.forEach((start, edges) -> {
                w.varlong(start).varlong(edges.size());
                edges.forEach((d, s) -> {
                    w.str(d);
                    s.write(w);
                });
            });
            return w.bytes();
        }

        static Open fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "open call windows");
            Open o = new Open();
            o.layer = r.str();
            o.closedBefore = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                long start = r.varlong();
                long m = r.varlong();
                Map<String, CallStats> edges = new TreeMap<>();
                for (long j = 0; j < m; j++) {
                    edges.put(r.str(), CallStats.read(r));
                }
                o.windows.put(start, edges);
            }
            return o;
        }
    }
}
