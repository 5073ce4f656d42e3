package io.asyncwatch.detect.latency;

import io.asyncwatch.detect.calls.CallStats;
import io.asyncwatch.detect.calls.ServiceWindow;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import java.time.Duration;
import java.util.Map;
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
 * Judges every (service, destination) path of each closed call window against the path's own trailing tail
 * ratios. Runs in the task that closed the windows (keyed by service, no re-key), and passes that task's clock
 * on as its own. A path silent for the baseline span is forgotten (one deadline per path).
 */
final class LatencyTailProcessor implements Processor<String, ServiceWindow, String, LatencyTail.Judged> {

    static final String STORE = "latency-tail-history";
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(LatencyTailProcessor.class);

    record Supplier(LatencyTailSettings settings, StoreMode storeMode)
            implements ProcessorSupplier<String, ServiceWindow, String, LatencyTail.Judged> {
        @Override
        public Processor<String, ServiceWindow, String, LatencyTail.Judged> get() {
            return new LatencyTailProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, LatencyTail.Judged> context;
    private TaskStore store;
    private KeyBudget budget;
    private String source;
    private boolean announced;

    private LatencyTailProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, LatencyTail.Judged> context) {
        this.context = context;
        this.announced = false;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "paths", conf.settings().maxPaths());
        this.source = LatencyTail.NAME + ":" + context.taskId().partition();
        context.schedule(LOG_EVERY, PunctuationType.WALL_CLOCK_TIME, ts -> {
            long overflow = budget.drainOverflow();
            if (overflow > 0) {
                LOG.warn("latency-tail: {} paths tracked in task {} (asyncwatch.latency-tail.max-paths): {} windows"
                        + " of further paths were not judged", budget.cap(), context.taskId(), overflow);
            }
        });
    }

    @Override
    public void process(Record<String, ServiceWindow> record) {
        ServiceWindow w = record.value();
        if (w.isTick()) {
            if (w.tick() == Long.MIN_VALUE) {
                // The closing task has not started: announced once, so the alert stage knows this task and waits.
                if (!announced) {
                    announced = true;
                    context.forward(new Record<>("", LatencyTail.Judged.tick(source, w.tick()), record.timestamp()));
                }
                return;
            }
            forget(w.tick());
            context.forward(new Record<>("", LatencyTail.Judged.tick(source, w.tick()), record.timestamp()));
            return;
        }
        LatencyTailSettings s = conf.settings();
        for (Map.Entry<String, CallStats> e : w.edges().entrySet()) {
            CallStats c = e.getValue();
            String key = w.service() + "|" + e.getKey();
            byte[] raw = store.get(key);
            TailHistory h;
            if (raw == null) {
                if (!budget.admit()) {
                    continue;
                }
                h = new TailHistory();
            } else {
                h = TailHistory.fromBytes(raw);
                store.cancel(h.lastWindowEnd + s.baselineMs(), key);
            }
            double p50 = c.latency.quantile(0.5);
            double p99 = c.latency.quantile(0.99);
            double p999 = c.latency.quantile(0.999);
            TailHistory.Baseline usual = h.baseline(w.windowStart(), s.baselineMs());
            TailMath.Judgement j = TailMath.judge(c.attempts, p50, p99, usual.p999(), usual.windows(), s);
            if (c.attempts >= s.minCalls() && j.verdict() != TailMath.Verdict.TAIL) {
                h.add(w.windowStart(), c.latency, s.baselineMs());
            }
            h.lastWindowEnd = Math.max(h.lastWindowEnd, w.windowEnd());
            store.put(key, h.toBytes());
            store.schedule(h.lastWindowEnd + s.baselineMs(), key);
            context.forward(new Record<>(w.service(), new LatencyTail.Judged(w.service(), w.layer(), e.getKey(),
                    w.windowStart(), w.windowEnd(), c, p50, p99, p999, j, source, 0), record.timestamp()));
        }
    }

    private void forget(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            if (store.get(d.key()) != null) {
                store.delete(d.key());
                budget.release();
            }
        });
    }
}
