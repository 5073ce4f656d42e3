package io.asyncwatch.detect.causality;

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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Parent and child spans of one trace, on the trace's task (the spans are re-keyed by trace once, for every trace
 * stage): a child is judged against its parent span whichever arrives first. A trace is forgotten {@code horizon-ms}
 * plus the grace after its first span; a child whose parent never came is not counted as missing (the caller may be
 * outside what asyncwatch sees, and a root span has no parent here).
 */
final class SpanLinksProcessor implements Processor<String, Span, String, CausalOutcome> {

    static final String STORE = "causality-spans";
    private static final Duration TICK = Duration.ofSeconds(1);
    /** 2: spans as the links need them (ids, node, stamps, clocks); 1 (read only): whole spans. */
    private static final int VERSION = 2;
    private static final int WHOLE_SPANS = 1;
    private static final Logger LOG = LoggerFactory.getLogger(SpanLinksProcessor.class);

    record Supplier(CausalitySettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Span, String, CausalOutcome> {
        @Override
        public Processor<String, Span, String, CausalOutcome> get() {
            return new SpanLinksProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    /**
     * The spans of a trace seen so far (by span id; the first stamp of an id stands), and children waiting. The links
     * read back from the store are written back as the bytes they were, unless one of them was replaced: a trace's
     * spans arrive in several batches, and encoding every earlier link again at each commit was much of this
     * stage's work.
     */
    static final class TraceLinks {
        long firstSeen;
        final Map<String, Span> spans = new LinkedHashMap<>();
        final List<Span> waiting = new ArrayList<>();
        /** The stored record the first {@code storedLinks} spans were read from (null: none), their bytes' range. */
        private byte[] stored;
        private int linksFrom;
        private int linksTo;
        private int storedLinks;

        /** Keeps {@code span} under its id; a stored link replaced is encoded again. */
        void put(Span span) {
            if (spans.put(span.spanId(), span) != null) {
                stored = null;
            }
        }

        byte[] toBytes() {
            boolean reuse = stored != null && spans.size() >= storedLinks;
            int reused = reuse ? linksTo - linksFrom : 0;
            Bin.Writer w = Bin.writer(reused + Span.bufferFor(spans.size() - (reuse ? storedLinks : 0)
                    + waiting.size())).u8(VERSION).varlong(firstSeen).varlong(spans.size());
            int skip = 0;
            if (reuse) {
                w.raw(stored, linksFrom, reused);
                skip = storedLinks;
            }
            for (Span s : spans.values()) {
                if (skip > 0) {
                    skip--;
                } else {
                    writeLink(w, s);
                }
            }
            w.varlong(waiting.size());
            waiting.forEach(s -> writeLink(w, s));
            return w.bytes();
        }

        static TraceLinks fromBytes(byte[] b, String traceId) {
            Bin.Reader r = Bin.reader(b);
            int version = r.u8();
            if (version != VERSION && version != WHOLE_SPANS) {
                throw new IllegalStateException("unknown trace links format version " + version + " (expected "
                        + VERSION + ")");
            }
            TraceLinks t = new TraceLinks();
            t.firstSeen = r.varlong();
            long n = r.varlong();
            int from = r.position();
            for (long i = 0; i < n; i++) {
                Span s = version == VERSION ? readLink(traceId, r) : Span.read(traceId, r);
                t.spans.put(s.spanId(), s);
            }
            if (version == VERSION && t.spans.size() == n) {
                t.stored = b;
                t.linksFrom = from;
                t.linksTo = r.position();
                t.storedLinks = t.spans.size();
            }
            n = r.varlong();
            for (long i = 0; i < n; i++) {
                t.waiting.add(version == VERSION ? readLink(traceId, r) : Span.read(traceId, r));
            }
            return t;
        }

        /** What judging a link reads of a span; the rest (service, latency, status...) is the cascade stage's. */
        private static void writeLink(Bin.Writer w, Span s) {
            w.str(s.spanId()).str(s.parentSpanId()).str(s.eventId()).varlong(s.timestamp()).str(s.node())
                    .varlong(s.sentAt() - s.timestamp()).varlong(s.lamport()).longMap(s.vectorClock());
        }

        private static Span readLink(String traceId, Bin.Reader r) {
            String spanId = r.str();
            String parent = r.str();
            String eventId = r.str();
            long timestamp = r.varlong();
            String node = r.str();
            long sentAt = timestamp + r.varlong();
            long lamport = r.varlong();
            Map<String, Long> vc = r.longMap();
            return new Span(traceId, spanId, parent, eventId, timestamp, null, null, null, 0, 0, null, null, 0, node,
                    sentAt, lamport, vc);
        }
    }

    private final Supplier conf;
    private final CausalitySettings s;
    private ProcessorContext<String, CausalOutcome> context;
    private TaskStore store;
    /** Traces being gathered, decoded between commits: a trace's spans arrive close together. */
    private DecodedEntries<TraceLinks> traces;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;

    private SpanLinksProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, CausalOutcome> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.traces = new DecodedEntries<>(store, TraceLinks::toBytes);
        this.budget = new KeyBudget(store, "traces", s.maxLinks());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = Causality.NAME + "-spans:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, Span> record) {
        Span in = record.value();
        if (in.isTick()) {
            if (clock.observe(in.source(), in.tick(), context.currentSystemTimeMs())) {
                expire(clock.now());
            }
            return;
        }
        Span span = in.at(record.timestamp());
        String key = span.traceId();
        TraceLinks t = traces.get(key);
        byte[] raw = t != null ? null : store.get(key);
        if (t == null && raw == null) {
            if (!budget.admit()) {
                return; // counted; logged by the tick
            }
            t = new TraceLinks();
            t.firstSeen = span.timestamp();
            // Kept a grace longer than the horizon, as every stage keeps what late events may still need: a
            // child stamped within the horizon of the trace's first span may arrive up to a grace late.
            store.schedule(t.firstSeen + s.horizonMs() + conf.graceMs(), key);
        } else if (t == null) {
            t = TraceLinks.fromBytes(raw, key);
        }
        Span known = t.spans.get(span.spanId());
        if (known != null && java.util.Objects.equals(known.eventId(), span.eventId())
                && known.sentAt() == span.sentAt()) {
            return; // the same event delivered again: it was judged (or is waiting) from its first delivery
        }
        if (known == null || span.sentAt() < known.sentAt()) {
            t.put(span);
        }
        if (span.parentSpanId() != null) {
            Span parent = t.spans.get(span.parentSpanId());
            if (parent != null) {
                judge(parent, span);
            } else if (t.waiting.size() < s.maxPendingEffects()) {
                t.waiting.add(span);
            }
        }
        for (Iterator<Span> it = t.waiting.iterator(); it.hasNext(); ) {
            Span child = it.next();
            if (child != span && span.spanId().equals(child.parentSpanId())) {
                judge(span, child);
                it.remove();
            }
        }
        traces.changed(key, t);
    }

    private void judge(Span parent, Span child) {
        CausalJudge.Verdict v = CausalJudge.judge(stamp(parent), stamp(child), s.toleranceMs());
        if (v.violation()) {
            CausalOutcome o = CausalOutcome.violation(parent.node(), child.node(), parent.eventId(), child.eventId(),
                    CausalFact.VIA_PARENT_SPAN + " " + child.parentSpanId(), v, parent.sentAt(), child.sentAt(),
                    child.timestamp());
            context.forward(new Record<>(Causality.ALL, o, o.time()));
        }
    }

    private static CausalJudge.Stamp stamp(Span s) {
        return new CausalJudge.Stamp(s.sentAt(), s.lamport(), s.vectorClock());
    }

    private void expire(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            boolean held = traces.get(d.key()) != null;
            traces.forget(d.key());
            if (held || store.get(d.key()) != null) {
                store.delete(d.key());
                budget.release();
            }
        });
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the window stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CausalOutcome.tick(source, t),
                Watermarks.stamp(t, wall))));
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("causality: {} traces tracked in task {} (asyncwatch.causality.max-links): {} spans of further"
                    + " traces not checked", budget.cap(), context.taskId(), overflow);
        }
    }
}
