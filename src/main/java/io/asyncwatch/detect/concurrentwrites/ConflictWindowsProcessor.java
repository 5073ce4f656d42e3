package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * All conflicts, on one partition: counted per window, which is published (metric, findings) once the slowest
 * entity task's clock has passed its end plus the grace. Conflicts are rare, so they cannot move time themselves;
 * the entity tasks' ticks do.
 */
final class ConflictWindowsProcessor implements Processor<String, WriteConflict, String,
        ConflictWindowsProcessor.Closed> {

    static final String STORE = "concurrent-write-windows";
    private static final String CLOSED_BEFORE = "closed-before";
    private static final Duration TICK = Duration.ofSeconds(1);

    /** A closed window, or (window null) this task's clock tick. */
    record Closed(ConflictWindow window, long windowMs, long tick, String source) {
        boolean isTick() {
            return window == null;
        }
    }

    record Supplier(ConcurrentWriteSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, WriteConflict, String, Closed> {
        @Override
        public Processor<String, WriteConflict, String, Closed> get() {
            return new ConflictWindowsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Closed> context;
    private TaskStore store;
    private UpstreamClock clock;
    private String source;

    private ConflictWindowsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Closed> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = ConcurrentWrites.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    private long closeAt(long start) {
        return start + conf.settings().windowMs() + conf.graceMs();
    }

    private long closedBefore() {
        byte[] raw = store.meta(CLOSED_BEFORE);
        return raw == null ? Long.MIN_VALUE : ByteBuffer.wrap(raw).getLong();
    }

    @Override
    public void process(Record<String, WriteConflict> record) {
        WriteConflict c = record.value();
        if (c.isTick()) {
            if (clock.observe(c.source(), c.time(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        long w = conf.settings().windowMs();
        long start = Math.floorDiv(c.time(), w) * w;
        long closedBefore = closedBefore();
        boolean late = start < closedBefore;
        if (late) {
            start = closedBefore; // counted in the first window still open, and said so
        }
        String key = totalsKey(start);
        byte[] raw = store.get(key);
        ConflictWindow window = raw == null ? new ConflictWindow(start) : ConflictWindow.fromTotals(raw);
        if (raw == null) {
            store.schedule(closeAt(start), key);
        }
        String entityKey = entityPrefix(start) + c.entity();
        byte[] entityRaw = store.get(entityKey);
        ConflictWindow.EntityConflicts e = entityRaw == null ? null : ConflictWindow.EntityConflicts.fromBytes(entityRaw);
        if (e == null && window.detailed < ConflictWindow.MAX_ENTITIES) {
            e = new ConflictWindow.EntityConflicts(c.entity());
            window.detailed++;
        }
        if (e == null) {
            window.uncounted++;
            window.count(c, late);
        } else if (e.add(c)) {
            window.count(c, late);
            store.put(entityKey, e.toBytes());
        }
        store.put(key, window.totalsBytes());
        if (clock.now() != Watermarks.NONE && clock.now() >= closeAt(start)) {
            sweep(clock.now());
        }
    }

    private static String totalsKey(long start) {
        return "t|" + start;
    }

    private static String entityPrefix(long start) {
        return "e|" + start + "|";
    }

    private void sweep(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw == null) {
                return;
            }
            ConflictWindow window = ConflictWindow.fromTotals(raw);
            for (var kv : store.dataWithPrefix(entityPrefix(window.start))) {
                ConflictWindow.EntityConflicts e = ConflictWindow.EntityConflicts.fromBytes(kv.value);
                window.entities.put(e.entity, e);
                store.delete(kv.key);
            }
            long end = window.start + conf.settings().windowMs();
            if (end > closedBefore()) {
                store.putMeta(CLOSED_BEFORE, ByteBuffer.allocate(8).putLong(end).array());
            }
            context.forward(new Record<>(ConcurrentWrites.ALL, new Closed(window, conf.settings().windowMs(), 0,
                    source), end));
        });
    }

    private void tick(long wall) {
        // Announced before its clock starts, so a stage waiting for every clock (the standup's) waits for this one.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", new Closed(null, 0, t, source),
                Watermarks.stamp(t, wall))));
    }
}
