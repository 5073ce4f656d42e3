package io.asyncwatch.detect.duplicates;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per service: duplicated intents counted per window; a window is published (metric, and a finding when it had
 * any) once the clock passes its end plus grace. A service's state exists only while it has open windows.
 *
 * <p>The clock is the slowest of the request-id tasks' clocks, which each sends here as ticks: duplicates are rare,
 * so they cannot move time themselves, and a window closes only once every task that could still find one for
 * it has moved past it.
 */
final class DuplicateWindowsProcessor implements Processor<String, DuplicateIntent, String,
        DuplicateWindowsProcessor.Closed> {

    static final String STORE = "duplicate-operation-windows";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;

    /** A closed window of {@code service}, or (window null) this task's clock tick. */
    record Closed(String service, String layer, DuplicateWindow window, long windowMs, long tick, String source) {
        boolean isTick() {
            return window == null;
        }
    }

    record Supplier(DuplicateSettings settings, long graceMs, long maxServices, StoreMode storeMode)
            implements ProcessorSupplier<String, DuplicateIntent, String, Closed> {
        @Override
        public Processor<String, DuplicateIntent, String, Closed> get() {
            return new DuplicateWindowsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    /** The open windows of one service. */
    private static final class ServiceWindows {
        String layer;
        long closedBefore = Long.MIN_VALUE;
        final TreeMap<Long, DuplicateWindow> open = new TreeMap<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(layer).varlong(closedBefore).varlong(open.size());
            open.values().forEach(dw -> w.bytes(dw.toBytes()));
            return w.bytes();
        }

        static ServiceWindows fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "duplicate windows");
            ServiceWindows s = new ServiceWindows();
            s.layer = r.str();
            s.closedBefore = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                DuplicateWindow w = DuplicateWindow.fromBytes(r.bytes());
                s.open.put(w.start, w);
            }
            return s;
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Closed> context;
    private TaskStore store;
    private KeyBudget budget;
    private static final Logger LOG = LoggerFactory.getLogger(DuplicateWindowsProcessor.class);

    private UpstreamClock clock;
    private String source;

    private DuplicateWindowsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Closed> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "services", conf.maxServices());
        this.source = DuplicateOperations.NAME + ":" + context.taskId().partition();
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, DuplicateIntent> record) {
        DuplicateIntent d = record.value();
        if (d.isTick()) {
            if (clock.observe(d.source(), d.time(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        byte[] raw = store.get(d.service());
        ServiceWindows s;
        if (raw == null) {
            if (!budget.admit()) {
                return; // counted; at most a few services have duplicates at once
            }
            s = new ServiceWindows();
        } else {
            s = ServiceWindows.fromBytes(raw);
            store.cancel(deadline(s), d.service());
        }
        s.layer = d.layer();
        long w = conf.settings().windowMs();
        long start = Math.floorDiv(d.time(), w) * w;
        // Late by the task's clock, not only by this service's closed windows (forgotten once none is open).
        long now = clock.now();
        boolean late = start < s.closedBefore || now != Watermarks.NONE && start + w + conf.graceMs() <= now;
        long into = !late ? start : Math.max(s.closedBefore, now == Watermarks.NONE ? start
                : Math.floorDiv(now - conf.graceMs(), w) * w);
        s.open.computeIfAbsent(into, DuplicateWindow::new).add(d, late);
        store.put(d.service(), s.toBytes());
        store.schedule(deadline(s), d.service());
    }

    private long deadline(ServiceWindows s) {
        return s.open.isEmpty() ? 0 : s.open.firstKey() + conf.settings().windowMs() + conf.graceMs();
    }

    private void tick(long wall) {
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("duplicate-operation: {} services with duplicates tracked in task {}"
                    + " (asyncwatch.duplicate-operation.max-services): {} duplicates of further services not counted",
                    budget.cap(), context.taskId(), overflow);
        }
        // Announced before it starts, so the alert stage knows this task and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Closed(null, null, null, 0, t,
                source), Watermarks.stamp(t, wall))));
    }

    private void sweep(long now) {
        store.forEachDue(now, entry -> {
            store.cancel(entry.time(), entry.key());
            byte[] raw = store.get(entry.key());
            if (raw == null) {
                return;
            }
            close(entry.key(), ServiceWindows.fromBytes(raw), now);
        });
    }

    /** Publishes the windows of {@code service} that the clock has passed; forgets the service when none is open. */
    private void close(String service, ServiceWindows s, long now) {
        long w = conf.settings().windowMs();
        List<DuplicateWindow> closed = new ArrayList<>();
        while (!s.open.isEmpty() && s.open.firstKey() + w + conf.graceMs() <= now) {
            Map.Entry<Long, DuplicateWindow> first = s.open.pollFirstEntry();
            closed.add(first.getValue());
            s.closedBefore = Math.max(s.closedBefore, first.getKey() + w);
        }
        if (s.open.isEmpty()) {
            store.delete(service);
            budget.release();
        } else {
            store.put(service, s.toBytes());
            store.schedule(deadline(s), service);
        }
        for (DuplicateWindow dw : closed) {
            context.forward(new Record<>(service, new Closed(service, s.layer, dw, w, 0, source), dw.start + w));
        }
    }

}
