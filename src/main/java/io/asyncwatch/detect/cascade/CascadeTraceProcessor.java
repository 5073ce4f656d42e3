package io.asyncwatch.detect.cascade;

import io.asyncwatch.detect.traces.Span;
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
import java.util.List;
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
 * Gathers the spans of each trace (keyed by trace id) and judges the trace once the slowest input partition's
 * clock has passed its first span by the horizon: the spans of a trace come from many services and partitions,
 * in any order. State: the traces of the last horizon, at most {@code max-traces} per task, each at most
 * {@code max-spans} spans; a trace is held between commits and written back once per commit, the spans it had
 * already stored as their stored bytes ({@link TraceSpans}).
 * The hits are counted per (caller, destination, window) and sent on each second, before the task's clock tick
 * (so before the windows stage may close their window); until then they are in the store with the rest.
 */
final class CascadeTraceProcessor implements Processor<String, Span, String, CascadePartial> {

    static final String STORE = "cascade-timeout-traces";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(CascadeTraceProcessor.class);

    record Supplier(CascadeSettings settings, long windowMs, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Span, String, CascadePartial> {
        @Override
        public Processor<String, Span, String, CascadePartial> get() {
            return new CascadeTraceProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private static final String PENDING = "pending-hits";

    private ProcessorContext<String, CascadePartial> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;
    private long droppedSpans;
    /** Traces gathered since the last commit (spans they had stored still encoded); written back before the next. */
    private DecodedEntries<TraceSpans> traces;
    /** Hits not sent on yet, by (caller, destination, window start). */
    private final TreeMap<Pending, CascadeCounts> pending = new TreeMap<>(java.util.Comparator
            .comparing(Pending::service).thenComparing(Pending::destination).thenComparingLong(Pending::window));
    private boolean pendingChanged;

    private record Pending(String service, String destination, long window) {
    }

    private CascadeTraceProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, CascadePartial> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "traces", conf.settings().maxTraces());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = CascadeTimeout.NAME + "-traces:" + context.taskId().partition();
        this.traces = new DecodedEntries<>(store, TraceSpans::toBytes);
        // A task revived after a dirty close is initialised again: what it held is what the store restored.
        pending.clear();
        pendingChanged = false;
        readPending();
        DecodedEntries<TraceSpans> mine = traces;
        store.beforeCommit(() -> {
            mine.beforeCommit();
            writePending();
        });
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }


    @Override
    public void process(Record<String, Span> record) {
        Span s = record.value();
        if (s.isTick()) {
            if (clock.observe(s.source(), s.tick(), context.currentSystemTimeMs())) {
                judgeDue(clock.now());
            }
            return;
        }
        Span span = s.at(record.timestamp());
        String key = span.traceId();
        TraceSpans trace = traces.get(key);
        if (trace == null) {
            byte[] raw = store.get(key);
            if (raw == null) {
                if (!budget.admit()) {
                    return; // counted; logged by the tick
                }
                trace = TraceSpans.of(span.timestamp(), List.of());
                store.schedule(deadline(trace.first), key);
            } else {
                trace = TraceSpans.fromBytes(raw);
            }
        }
        if (trace.size() >= conf.settings().maxSpans()) {
            droppedSpans++;
            return;
        }
        if (span.timestamp() < trace.first) {
            // Anchored on the earliest span, not the first to arrive: arrival order depends on partitions.
            store.cancel(deadline(trace.first), key);
            trace = trace.withFirst(span.timestamp());
            store.schedule(deadline(trace.first), key);
        }
        trace.add(span);
        traces.changed(key, trace);
    }

    /**
     * A trace is judged once every input partition has passed its earliest span by the horizon plus grace: by then
     * every span stamped within the horizon has arrived, whatever partition it came from.
     */
    private long deadline(long first) {
        return first + conf.settings().horizonMs() + conf.graceMs();
    }

    private void readPending() {
        byte[] raw = store.meta(PENDING);
        if (raw == null || raw.length == 0) {
            return;
        }
        Bin.Reader r = Bin.versioned(raw, VERSION, "pending cascade hits");
        for (long n = r.varlong(); n > 0; n--) {
            pending.put(new Pending(r.str(), r.str(), r.varlong()), CascadeCounts.read(r));
        }
    }

    private void writePending() {
        if (!pendingChanged) {
            return;
        }
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(pending.size());
        pending.forEach((k, c) -> c.write(w.str(k.service()).str(k.destination()).varlong(k.window())));
        store.putMeta(PENDING, w.bytes());
        pendingChanged = false;
    }

    private void judgeDue(long now) {
        store.forEachDue(now, due -> {
            store.cancel(due.time(), due.key());
            TraceSpans trace = traces.get(due.key());
            traces.forget(due.key());
            byte[] raw = trace == null ? store.get(due.key()) : null;
            if (trace == null && raw == null) {
                return;
            }
            if (trace == null) {
                trace = TraceSpans.fromBytes(raw);
            }
            long horizonEnd = trace.first + conf.settings().horizonMs();
            List<Span> within = new ArrayList<>();
            List<Span> later = new ArrayList<>();
            trace.spans(due.key()).forEach(x -> (x.timestamp() < horizonEnd ? within : later).add(x));
            if (later.isEmpty()) {
                store.delete(due.key());
                budget.release();
            } else {
                // A trace longer than the horizon: its later spans are judged as a trace of their own.
                TraceSpans rest = TraceSpans.of(later.stream().mapToLong(Span::timestamp).min().orElseThrow(), later);
                traces.changed(due.key(), rest);
                store.schedule(deadline(rest.first), due.key());
            }
            for (TraceJudge.Hit h : TraceJudge.judge(within)) {
                CascadeHit hit = CascadeHit.of(h, source);
                long w = conf.windowMs();
                pending.computeIfAbsent(new Pending(hit.service(), hit.destination(), Math.floorDiv(hit.time(), w) * w),
                        k -> new CascadeCounts()).add(hit);
                pendingChanged = true;
            }
        });
    }

    private void tick(long wall) {
        // The hits before the tick: the windows stage closes a window only once every trace task's tick passed it.
        pending.forEach((k, c) -> context.forward(new Record<>(k.service(),
                new CascadePartial(k.service(), k.destination(), k.window(), c, source), k.window())));
        pendingChanged |= !pending.isEmpty();
        pending.clear();
        // Announced before it starts, so the caller windows wait for this task.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CascadePartial.tick(source, t),
                Watermarks.stamp(t, wall))));
        long overflow = budget.drainOverflow();
        if (overflow > 0 || droppedSpans > 0) {
            LOG.warn("cascade-timeout: task {}: {} spans of new traces not gathered ({} traces at once,"
                    + " asyncwatch.cascade-timeout.max-traces), {} spans beyond asyncwatch.cascade-timeout.max-spans"
                    + " of their trace", context.taskId(), overflow, budget.cap(), droppedSpans);
            droppedSpans = 0;
        }
    }
}
