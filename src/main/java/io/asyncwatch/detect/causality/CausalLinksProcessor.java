package io.asyncwatch.detect.causality;

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
 * Per link (an event id, or a trace's span id): the cause and the effects that name it, whichever arrives first.
 * Each effect is judged once its cause is there; a link is forgotten {@code horizon-ms} after it was first seen,
 * and effects still waiting then count as missing their cause. Counts per effect node and window are sent on once
 * no effect of that window can still be judged (window end + horizon + grace on this task's clock).
 *
 * <p>The clock is the slowest input partition's of all three input topics ({@link Watermarks}): a cause and its
 * effect come from different partitions, and one running ahead must not expire a link whose other side another
 * partition has yet to deliver.
 */
final class CausalLinksProcessor implements Processor<String, CausalFact, String, CausalOutcome> {

    static final String STORE = "causality-links";
    /** Deadline lane of the per-window counts (lane 0: links to forget). */
    private static final int COUNTS = 1;
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;
    private static final int MISSING_SAMPLES = 3;

    record Supplier(CausalitySettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, CausalFact, String, CausalOutcome> {
        @Override
        public Processor<String, CausalFact, String, CausalOutcome> get() {
            return new CausalLinksProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    /** One link: its cause (null until it arrives) and the effects waiting for it. */
    private static final class Link {
        long firstSeen;
        CausalFact cause;
        final List<CausalFact> waiting = new ArrayList<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(firstSeen).bytes(cause == null ? null : cause.toBytes())
                    .varlong(waiting.size());
            waiting.forEach(f -> w.bytes(f.toBytes()));
            return w.bytes();
        }

        static Link fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "causal link");
            Link l = new Link();
            l.firstSeen = r.varlong();
            byte[] cause = r.bytes();
            l.cause = cause == null ? null : CausalFact.fromBytes(cause);
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                l.waiting.add(CausalFact.fromBytes(r.bytes()));
            }
            return l;
        }
    }

    /** Effects of one node in one window: judged, and missing their cause (with a few of their ids). */
    private static final class Counts {
        long effects;
        long missing;
        final List<String> samples = new ArrayList<>();

        byte[] toBytes() {
            return Bin.writer().u8(VERSION).varlong(effects).varlong(missing).strings(samples).bytes();
        }

        static Counts fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "causal counts");
            Counts c = new Counts();
            c.effects = r.varlong();
            c.missing = r.varlong();
            c.samples.addAll(r.strings());
            return c;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CausalLinksProcessor.class);

    private final Supplier conf;
    private final CausalitySettings s;
    private ProcessorContext<String, CausalOutcome> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;
    private long overflowEffects;

    private CausalLinksProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, CausalOutcome> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "links", s.maxLinks());
        this.clock = UpstreamClock.restore(store, Watermarks.expectedInputSources(context.appConfigs()));
        this.source = Causality.NAME + "-links:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, CausalFact> record) {
        CausalFact f = record.value();
        if (f.isTick()) {
            if (clock.observe(f.source(), f.tick(), context.currentSystemTimeMs())) {
                expire(clock.now());
            }
            return;
        }
        CausalFact fact = f.at(record.timestamp());
        String key = "l|" + fact.link();
        byte[] raw = store.get(key);
        Link link = raw == null ? null : Link.fromBytes(raw);
        if (link != null && fact.time() >= link.firstSeen + s.horizonMs()) {
            // Beyond the horizon, whether or not its expiry has come round yet: settle the old link first.
            store.cancel(link.firstSeen + s.horizonMs(), key);
            store.delete(key);
            budget.release();
            settle(link);
            link = null;
        }
        if (link == null) {
            if (!budget.admit()) {
                return; // counted by the budget; reported by the tick
            }
            link = new Link();
            link.firstSeen = fact.time();
            store.schedule(link.firstSeen + s.horizonMs(), key);
        }
        if (fact.role() == CausalFact.CAUSE) {
            if (link.cause == null || fact.timestamp() < link.cause.timestamp()) {
                // One id delivered twice (a producer retry): the earliest stamp stands for it, in any arrival order.
                link.cause = fact;
            }
            for (CausalFact waiting : link.waiting) {
                judge(link.cause, waiting);
            }
            link.waiting.clear();
        } else if (link.cause != null) {
            judge(link.cause, fact);
        } else if (link.waiting.size() < s.maxPendingEffects()) {
            link.waiting.add(fact);
        } else {
            overflowEffects++;
        }
        store.put(key, link.toBytes());
    }

    private void judge(CausalFact cause, CausalFact effect) {
        CausalJudge.Verdict v = CausalJudge.judge(cause.stamp(), effect.stamp(), s.toleranceMs());
        Counts c = counts(effect);
        c.effects++;
        putCounts(effect, c);
        if (v.violation()) {
            CausalOutcome out = CausalOutcome.violation(cause, effect, v);
            context.forward(new Record<>(Causality.ALL, out, effect.time()));
        }
    }

    /** A link forgotten: its waiting effects never saw their cause. */
    private void settle(Link link) {
        for (CausalFact effect : link.waiting) {
            Counts c = counts(effect);
            c.missing++;
            if (c.samples.size() < MISSING_SAMPLES) {
                String named = effect.link().substring(effect.link().indexOf(':') + 1);
                c.samples.add(effect.eventId() + " on " + effect.node() + " (" + (effect.via()
                        .equals(CausalFact.VIA_CAUSED_BY) ? effect.via() + " " + named
                        : effect.via() + " of trace " + named.substring(0, named.lastIndexOf('/'))) + ")");
            }
            putCounts(effect, c);
        }
    }

    private long windowStart(long time) {
        return Math.floorDiv(time, s.windowMs()) * s.windowMs();
    }

    private String countsKey(CausalFact effect) {
        return "c|" + windowStart(effect.time()) + "|" + effect.node();
    }

    private Counts counts(CausalFact effect) {
        byte[] raw = store.get(countsKey(effect));
        return raw == null ? new Counts() : Counts.fromBytes(raw);
    }

    private void putCounts(CausalFact effect, Counts c) {
        String key = countsKey(effect);
        if (store.get(key) == null) {
            store.schedule(COUNTS, windowStart(effect.time()) + s.windowMs() + s.horizonMs() + conf.graceMs(), key);
        }
        store.put(key, c.toBytes());
    }

    private void expire(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            budget.release();
            if (raw != null) {
                settle(Link.fromBytes(raw));
            }
        });
        store.forEachDue(COUNTS, now, d -> {
            store.cancel(COUNTS, d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw == null) {
                return;
            }
            Counts c = Counts.fromBytes(raw);
            String[] parts = d.key().split("\\|", 3);
            long start = Long.parseLong(parts[1]);
            context.forward(new Record<>(Causality.ALL, CausalOutcome.counts(parts[2], start, c.effects, c.missing,
                    List.copyOf(c.samples)), start));
        });
    }

    private void tick(long wall) {
        // Announced before this task's clock starts, so the window stage knows it exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CausalOutcome.tick(source, t),
                t == Watermarks.NONE ? wall : t)));
        long overflow = budget.drainOverflow();
        if (overflow > 0 || overflowEffects > 0) {
            LOG.warn("causality: {} links tracked in task {} (asyncwatch.causality.max-links), {} events of further"
                    + " links not matched; {} effects over asyncwatch.causality.max-pending-effects not checked",
                    budget.cap(), context.taskId(), overflow, overflowEffects);
            overflowEffects = 0;
        }
    }
}
