package io.asyncwatch.detect.calls;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.detect.Judged;
import io.asyncwatch.model.Metric;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A judge of every service's window together ({@link CallWindows#allServices}): it gathers the closed windows of
 * one window start from every service task and judges them once the slowest of those tasks' clocks has passed
 * that window's close, so nothing that task could still send is missing, live, after a crash or in replay.
 * Subclasses judge and {@link #emit} findings and metric points; this class keeps the gathering (one store entry per
 * service and open window, one deadline per window) and the clock. Only the partition that holds the key
 * {@link CallWindows#ALL} ever gathers anything; the others tick.
 */
public abstract class AllServicesProcessor implements Processor<String, ServiceWindow, String, Judged> {

    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;

    private final String storeName;
    private final long closeAfterMs;
    private ProcessorContext<String, Judged> context;
    protected TaskStore store;
    private UpstreamClock clock;
    protected String source;

    /** @param closeAfterMs event time after a window's end by which every service task has closed it */
    protected AllServicesProcessor(String storeName, long closeAfterMs) {
        this.storeName = storeName;
        this.closeAfterMs = closeAfterMs;
    }

    /** Judges the windows of every service that had calls in the window [start, end). */
    protected abstract void judge(long start, long end, List<ServiceWindow> windows);

    /**
     * This task's clock reached {@code time}: forward a tick for the alert stage. {@code time} is
     * {@link Watermarks#NONE} for the announcement before the clock starts: no arithmetic on it.
     */
    protected abstract void tick(long time);

    /** Forwards a finding (or tick) and/or a metric point judged at event time {@code time}. */
    protected final void emit(Finding finding, Metric metric, long time) {
        // The announcement (NONE) is stamped with the wall clock: a record timestamp may not be negative.
        context.forward(new Record<>("", new Judged(finding, metric),
                time == Watermarks.NONE ? context.currentSystemTimeMs() : time));
    }

    /** Called after init: the subclass's own state. */
    protected void opened() {
    }

    @Override
    public final void init(ProcessorContext<String, Judged> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(storeName));
        // Its upstream tasks are the by-service stage's, not the input partitions.
        this.clock = UpstreamClock.restore(store, CallWindows.BY_SERVICE_PARTITIONS);
        this.source = context.taskId().partition() + "";
        opened();
        // Announced before it starts, so the alert stage knows this task and waits for it.
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, wall -> clock.nextTick(true).ifPresent(this::tick));
    }

    @Override
    public final void process(Record<String, ServiceWindow> record) {
        ServiceWindow w = record.value();
        if (w.isTick()) {
            if (clock.observe(w.source(), w.tick(), context.currentSystemTimeMs())) {
                closeDue(clock.now());
            }
            return;
        }
        // One entry per (window, service): a window's entries are read once, when it is judged.
        String window = "w|" + String.format("%020d", w.windowStart()) + "|";
        if (store.get(window) == null) {
            store.put(window, new byte[] {VERSION});
            store.schedule(w.windowEnd() + closeAfterMs, window);
        }
        store.put(window + w.service(), ServiceWindow.SERDE.serializer().serialize(null, w));
    }

    private void closeDue(long now) {
        store.forEachDue(now, due -> {
            store.cancel(due.time(), due.key());
            store.delete(due.key());
            List<ServiceWindow> windows = new ArrayList<>();
            // In key order, so sorted by service: the order they arrived in depends on partitions.
            for (KeyValue<String, byte[]> kv : store.dataWithPrefix(due.key())) {
                if (kv.key.length() > due.key().length()) {
                    windows.add(ServiceWindow.SERDE.deserializer().deserialize(null, kv.value));
                    store.delete(kv.key);
                }
            }
            if (!windows.isEmpty()) {
                judge(windows.get(0).windowStart(), windows.get(0).windowEnd(), windows);
            }
        });
    }
}
