package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.state.KeyBudget;
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

/**
 * Merges the partial aggregates of every input partition per service and judges each window once the detector's
 * clock has passed it: the slowest input partition's, from the ticks each sends after its counts, so a partition
 * running behind (a burst, a catch-up, requests not keyed by service) never has its counts arrive after their window
 * was judged. Each service has one deadline in the store (its next window to close, or when it is forgotten), so
 * closing windows reads only services that are due; input partitions tick through silence, so services that went
 * quiet are still judged, and forgotten after the baseline span.
 */
final class RetryStormProcessor implements Processor<String, RetryDelta, String, RetryStorm.Output> {

    static final String STORE = "retry-storm-windows";
    private static final Duration TICK = Duration.ofSeconds(1);

    record Supplier(RetryStormSettings settings, long closeAfterMs, StoreMode storeMode)
            implements ProcessorSupplier<String, RetryDelta, String, RetryStorm.Output> {
        @Override
        public Processor<String, RetryDelta, String, RetryStorm.Output> get() {
            return new RetryStormProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, RetryStorm.Output> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;

    private RetryStormProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, RetryStorm.Output> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "services", conf.settings().maxServices());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = RetryStorm.NAME + ":" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, RetryDelta> record) {
        RetryDelta d = record.value();
        if (d.isTick()) {
            if (clock.observe(d.source(), d.tick(), context.currentSystemTimeMs())) {
                sweep(clock.now());
            }
            return;
        }
        String service = d.service();
        byte[] open = store.get(open(service));
        RetryHistory h;
        if (open == null) {
            if (!budget.admit()) {
                reportOverflow();
                return;
            }
            h = new RetryHistory();
        } else {
            h = RetryHistory.load(open, () -> store.get(history(service)));
        }
        long oldDeadline = open == null ? -1 : h.deadline(conf.closeAfterMs(), conf.settings());
        h.add(d);
        save(service, h, oldDeadline);
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the alert stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", RetryStorm.Output.tick(t, source),
                Watermarks.stamp(t, wall))));
        reportOverflow();
    }

    private void sweep(long now) {
        store.forEachDue(now, entry -> {
            String service = entry.key();
            byte[] open = store.get(open(service));
            store.cancel(entry.time(), service);
            if (open == null) {
                return;
            }
            RetryHistory h = RetryHistory.load(open, () -> store.get(history(service)));
            List<ClosedWindow> closed = h.closeDue(service, now, conf.closeAfterMs(), conf.settings());
            if (h.forgettable(now, conf.closeAfterMs(), conf.settings())) {
                store.delete(open(service));
                store.delete(history(service));
                budget.release();
            } else {
                save(service, h, -1);
            }
            emit(closed);
        });
    }

    private void save(String service, RetryHistory h, long oldDeadline) {
        store.put(open(service), h.openBytes());
        if (h.historyChanged()) {
            store.put(history(service), h.historyBytes());
        }
        long deadline = h.deadline(conf.closeAfterMs(), conf.settings());
        if (deadline != oldDeadline) {
            if (oldDeadline >= 0) {
                store.cancel(oldDeadline, service);
            }
            store.schedule(deadline, service);
        }
    }

    private void emit(List<ClosedWindow> closed) {
        for (ClosedWindow w : closed) {
            context.forward(new Record<>(w.service(), RetryStorm.Output.window(w, source), w.windowEnd()));
        }
    }

    private void reportOverflow() {
        long n = budget.drainOverflow();
        if (n > 0 && clock.now() != Watermarks.NONE) {
            context.forward(new Record<>("", RetryStorm.Output.overflow(n, budget.cap(), source, clock.now()),
                    clock.now()));
        }
    }

    private static String open(String service) {
        return "o|" + service;
    }

    private static String history(String service) {
        return "h|" + service;
    }
}
