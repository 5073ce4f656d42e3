package io.asyncwatch.detect.cascade;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;

/**
 * The cascading caller attempts of one (caller, destination) in one window: counts, the worst hit and sample traces. Adding
 * hits or merging counts in any order gives the same result, so a trace task can pre-aggregate what it judged before
 * it crosses the broker, and arrival order never decides what the window says.
 */
final class CascadeCounts {

    static final int SAMPLES = 3;

    String layer;
    /** Caller attempts that cascaded (a trace with retries counts each attempt). */
    long attempts;
    long configured;
    long observed;
    /** The hit with the largest shortfall (needed - timeout), ties broken by the smaller event id. */
    CascadeHit worst;
    /** The smallest distinct trace ids, at most {@link #SAMPLES}. */
    final List<String> sampleTraces = new ArrayList<>();

    static CascadeCounts of(CascadeHit h) {
        CascadeCounts c = new CascadeCounts();
        c.layer = h.layer();
        c.attempts = 1;
        if (h.kind().equals(TraceJudge.Kind.CONFIGURED.name())) {
            c.configured = 1;
        } else {
            c.observed = 1;
        }
        c.worst = h;
        c.sampleTraces.add(h.traceId());
        return c;
    }

    void add(CascadeHit h) {
        merge(of(h));
    }

    void merge(CascadeCounts o) {
        // Deterministic if a caller's events disagree on its layer: arrival order must not decide.
        layer = layer == null || o.layer != null && o.layer.compareTo(layer) < 0 ? o.layer : layer;
        attempts += o.attempts;
        configured += o.configured;
        observed += o.observed;
        if (worst == null || worse(o.worst, worst)) {
            worst = o.worst;
        }
        java.util.TreeSet<String> distinct = new java.util.TreeSet<>(sampleTraces);
        distinct.addAll(o.sampleTraces);
        sampleTraces.clear();
        sampleTraces.addAll(distinct);
        while (sampleTraces.size() > SAMPLES) {
            sampleTraces.remove(sampleTraces.size() - 1);
        }
    }

    private static long shortfall(CascadeHit h) {
        return Math.max(h.neededMs(), Math.round(h.waitedMs())) - h.timeoutMs();
    }

    private static boolean worse(CascadeHit a, CascadeHit b) {
        long sa = shortfall(a);
        long sb = shortfall(b);
        return sa > sb || sa == sb && a.eventId().compareTo(b.eventId()) < 0;
    }

    void write(Bin.Writer w) {
        w.str(layer).varlong(attempts).varlong(configured).varlong(observed).bytes(worst.toBytes()).strings(sampleTraces);
    }

    static CascadeCounts read(Bin.Reader r) {
        CascadeCounts c = new CascadeCounts();
        c.layer = r.str();
        c.attempts = r.varlong();
        c.configured = r.varlong();
        c.observed = r.varlong();
        c.worst = CascadeHit.fromBytes(r.bytes());
        // Distinct and sorted: a window stored by the previous release may repeat a trace id.
        c.sampleTraces.addAll(new java.util.TreeSet<>(r.strings()));
        return c;
    }
}
