package io.asyncwatch.detect.cascade;

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
 * Counts cascading traces per (caller, destination) and window, keyed by caller (from the trace tasks' partial
 * counts), and closes a window once every
 * trace task's clock has passed its end by the horizon: by then every trace with a caller span in it was judged.
 * A caller is forgotten as soon as it has no open window.
 */
final class CascadeWindowsProcessor implements Processor<String, CascadePartial, String, CascadeTimeout.Closed> {

    static final String STORE = "cascade-timeout-windows";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;

    record Supplier(CascadeSettings settings, long windowMs, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, CascadePartial, String, CascadeTimeout.Closed> {
        @Override
        public Processor<String, CascadePartial, String, CascadeTimeout.Closed> get() {
            return new CascadeWindowsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, CascadeTimeout.Closed> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;

    private CascadeWindowsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, CascadeTimeout.Closed> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "callers", conf.settings().maxServices());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = CascadeTimeout.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    private long closeAfter() {
        return conf.windowMs() + conf.settings().horizonMs() + conf.graceMs();
    }

    @Override
    public void process(Record<String, CascadePartial> record) {
        CascadePartial h = record.value();
        if (h.isTick()) {
            if (clock.observe(h.source(), h.time(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        byte[] raw = store.get(h.service());
        Open s;
        if (raw == null) {
            if (!budget.admit()) {
                return;
            }
            s = new Open();
        } else {
            s = Open.fromBytes(raw);
            store.cancel(deadline(s), h.service());
        }
        long w = conf.windowMs();
        long start = Math.floorDiv(h.time(), w) * w;
        long now = clock.now();
        boolean late = start < s.closedBefore || now != Watermarks.NONE && start + closeAfter() <= now;
        long into = !late ? start : Math.max(s.closedBefore, now == Watermarks.NONE ? start
                : Math.floorDiv(now - closeAfter(), w) * w + w);
        s.windows.computeIfAbsent(into, k -> new TreeMap<>()).computeIfAbsent(h.destination(),
                k -> new CascadeCounts()).merge(h.counts());
        store.put(h.service(), s.toBytes());
        store.schedule(deadline(s), h.service());
    }

    private long deadline(Open s) {
        return s.windows.isEmpty() ? 0 : s.windows.firstKey() + closeAfter();
    }

    private void tick(long wall) {
        // Announced before it starts, so the alert stage knows this task and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CascadeTimeout.Closed.tick(source, t),
                Watermarks.stamp(t, wall))));
    }

    private void sweep(long now) {
        store.forEachDue(now, due -> {
            store.cancel(due.time(), due.key());
            byte[] raw = store.get(due.key());
            if (raw == null) {
                return;
            }
            Open s = Open.fromBytes(raw);
            long w = conf.windowMs();
            while (!s.windows.isEmpty() && s.windows.firstKey() + closeAfter() <= now) {
                Map.Entry<Long, Map<String, CascadeCounts>> closed = s.windows.pollFirstEntry();
                s.closedBefore = closed.getKey() + w;
                closed.getValue().forEach((d, c) -> context.forward(new Record<>(due.key(),
                        new CascadeTimeout.Closed(due.key(), d, closed.getKey(), closed.getKey() + w, c, source, 0),
                        closed.getKey() + w)));
            }
            if (s.windows.isEmpty()) {
                store.delete(due.key());
                budget.release();
            } else {
                store.put(due.key(), s.toBytes());
                store.schedule(deadline(s), due.key());
            }
        });
    }

    /** The open windows of one caller. */
    private static final class Open {
        long closedBefore = Long.MIN_VALUE;
        final TreeMap<Long, Map<String, CascadeCounts>> windows = new TreeMap<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(closedBefore).varlong(windows.size());
            windows.forEach((start, byDest) -> {
                w.varlong(start).varlong(byDest.size());
                byDest.forEach((d, c) -> c.write(w.str(d)));
            });
            return w.bytes();
        }

        static Open fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "cascade windows");
            Open o = new Open();
            o.closedBefore = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                long start = r.varlong();
                long m = r.varlong();
                Map<String, CascadeCounts> byDest = new TreeMap<>();
                for (long j = 0; j < m; j++) {
                    String d = r.str();
                    byDest.put(d, CascadeCounts.read(r));
                }
                o.windows.put(start, byDest);
            }
            return o;
        }
    }
}
