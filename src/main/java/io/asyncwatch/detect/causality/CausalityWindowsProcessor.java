package io.asyncwatch.detect.causality;

import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * All of a window's causality outcomes in one place (one key: they are few, already reduced per link task), so that
 * a node in most violating pairs can be named. A window closes once the slowest link task has passed its end plus
 * horizon plus grace: by then every effect in it has been judged or has missed its cause. Only windows with
 * outcomes are stored.
 */
final class CausalityWindowsProcessor implements Processor<String, CausalOutcome, String,
        CausalityWindowsProcessor.Closed> {

    static final String STORE = "causality-windows";
    private static final Duration TICK = Duration.ofSeconds(1);

    /** A closed window, a closed UTC day, or (both null) this task's clock tick. */
    record Closed(CausalWindow window, CausalDay day, long tick, String source) {
        boolean isTick() {
            return window == null && day == null;
        }
    }

    /** Deadline lane of the days (lane 0: windows), swept after the windows that feed them. */
    private static final int DAYS = 1;

    /** {@code stages}: upstream stages whose tasks tick here, each with a task per input partition. */
    record Supplier(CausalitySettings settings, long graceMs, StoreMode storeMode, int stages)
            implements ProcessorSupplier<String, CausalOutcome, String, Closed> {
        @Override
        public Processor<String, CausalOutcome, String, Closed> get() {
            return new CausalityWindowsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private static final String CLOSED_BEFORE = "closed-before";

    private final Supplier conf;
    private ProcessorContext<String, Closed> context;
    private TaskStore store;
    private UpstreamClock clock;
    private String source;

    private CausalityWindowsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Closed> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        // The upstream stages (lookups, trace spans, entities), each with a task per input partition.
        this.clock = UpstreamClock.restore(store, conf.stages() * Watermarks.expectedSources(context.appConfigs()));
        this.source = Causality.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    private long closeAt(long start) {
        return start + conf.settings().windowMs() + conf.settings().horizonMs() + conf.graceMs();
    }

    @Override
    public void process(Record<String, CausalOutcome> record) {
        CausalOutcome o = record.value();
        if (o.isTick()) {
            if (clock.observe(o.source(), o.tick(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        long w = conf.settings().windowMs();
        long start = Math.floorDiv(o.time(), w) * w;
        byte[] closedRaw = store.meta(CLOSED_BEFORE);
        long closedBefore = closedRaw == null ? Long.MIN_VALUE : java.nio.ByteBuffer.wrap(closedRaw).getLong();
        boolean late = start < closedBefore;
        if (late) {
            start = closedBefore; // counted in the first window still open, and said so
        }
        String key = "w|" + start;
        byte[] raw = store.get(key);
        CausalWindow window = raw == null ? new CausalWindow(start) : CausalWindow.fromBytes(raw);
        if (raw == null) {
            store.schedule(closeAt(start), key);
        }
        window.add(o);
        if (late) {
            window.late++;
        }
        store.put(key, window.toBytes());
        if (clock.now() != Watermarks.NONE && clock.now() >= closeAt(start)) {
            sweep(clock.now());
        }
    }

    private void sweep(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw == null) {
                return;
            }
            CausalWindow window = CausalWindow.fromBytes(raw);
            long end = window.start + conf.settings().windowMs();
            byte[] closedRaw = store.meta(CLOSED_BEFORE);
            long closedBefore = closedRaw == null ? Long.MIN_VALUE : java.nio.ByteBuffer.wrap(closedRaw).getLong();
            if (end > closedBefore) {
                store.putMeta(CLOSED_BEFORE, java.nio.ByteBuffer.allocate(8).putLong(end).array());
            }
            context.forward(new Record<>(Causality.ALL, new Closed(window, null, 0, source), end));
            addToDay(window);
        });
        store.forEachDue(DAYS, now, d -> {
            store.cancel(DAYS, d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw != null) {
                CausalDay day = CausalDay.fromBytes(raw);
                context.forward(new Record<>(Causality.ALL, new Closed(null, day, 0, source),
                        day.start + CausalDay.DAY_MS));
            }
        });
    }

    /** The day of a closed window collects its counts; it closes when the day's last window has. */
    private void addToDay(CausalWindow window) {
        long dayStart = CausalDay.dayOf(window.start);
        String key = "d|" + dayStart;
        byte[] raw = store.get(key);
        CausalDay day = raw == null ? new CausalDay(dayStart) : CausalDay.fromBytes(raw);
        if (raw == null) {
            // The day's last window is the last one starting in it (a window need not divide a day).
            long w = conf.settings().windowMs();
            store.schedule(DAYS, closeAt(Math.floorDiv(dayStart + CausalDay.DAY_MS - 1, w) * w), key);
        }
        day.add(window);
        store.put(key, day.toBytes());
    }

    private void tick(long wall) {
        // Announced before its clock starts, so a stage waiting for every clock (the standup's) waits for this one.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Closed(null, null, t, source),
                Watermarks.stamp(t, wall))));
    }
}
