package io.asyncwatch.detect.cascade;

import io.asyncwatch.detect.traces.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cascade timeouts on one trace. A span's children are the calls its callee made while serving it; children whose
 * time spans do not overlap were made one after another, overlapping ones in parallel. Following the seeds'
 * arithmetic (A -> B -> C -> D at 1 s each needs over 3 s, so A giving up at 1 s cascades), what a caller must
 * allow is additive down the chain:
 * <pre>downstream(P) = sum over sequential groups of max over the group's children C of (C.timeout + downstream(C))</pre>
 * A caller cascades when its timeout is below {@code downstream(P)} (configured), or below the time its callee
 * actually spent waiting on its own calls (observed: the sum over groups of the slowest child's latency).
 * No Kafka types.
 */
public final class TraceJudge {

    public enum Kind { CONFIGURED, OBSERVED }

    /**
     * @param caller     the span whose timeout is too short
     * @param neededMs   downstream(P)
     * @param waitedMs   what the callee spent on its own calls
     * @param chain      the longest chain under the caller, as text
     */
    public record Hit(Span caller, Kind kind, long neededMs, double waitedMs, String chain) {
    }

    private TraceJudge() {
    }

    /** Spans in any order: they are sorted first, so that arrival order cannot change a result. */
    public static List<Hit> judge(List<Span> spans) {
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(Span::timestamp).thenComparing(Span::eventId));
        Map<String, Span> byId = new HashMap<>();
        Map<String, List<Span>> children = new HashMap<>();
        for (Span s : sorted) {
            byId.putIfAbsent(s.spanId(), s); // a span id delivered twice: the earliest attempt stands for it
        }
        for (Span s : byId.values()) {
            if (s.parentSpanId() != null && byId.containsKey(s.parentSpanId())) {
                children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
            }
        }
        children.values().forEach(l -> l.sort(Comparator.comparingLong(Span::timestamp)
                .thenComparing(Span::spanId)));
        Map<String, Long> memo = new HashMap<>();
        List<Hit> hits = new ArrayList<>();
        List<Span> callers = new ArrayList<>(byId.values());
        callers.sort(Comparator.comparingLong(Span::timestamp).thenComparing(Span::spanId));
        for (Span p : callers) {
            List<Span> kids = children.get(p.spanId());
            if (kids == null || p.timeoutMs() <= 0) {
                continue;
            }
            long needed = downstream(p, children, memo, 0);
            double waited = waited(kids);
            Kind kind = p.timeoutMs() < needed ? Kind.CONFIGURED : p.timeoutMs() < waited ? Kind.OBSERVED : null;
            if (kind != null) {
                hits.add(new Hit(p, kind, needed, waited, chain(p, children, memo)));
            }
        }
        return hits;
    }

    /** Groups of children made at overlapping times (parallel); the groups follow one another. */
    static List<List<Span>> groups(List<Span> kids) {
        List<List<Span>> out = new ArrayList<>();
        double groupEnd = Double.NEGATIVE_INFINITY;
        for (Span c : kids) {
            if (out.isEmpty() || c.timestamp() >= groupEnd) {
                out.add(new ArrayList<>());
                groupEnd = c.timestamp() + c.latencyMs();
            } else {
                groupEnd = Math.max(groupEnd, c.timestamp() + c.latencyMs());
            }
            out.get(out.size() - 1).add(c);
        }
        return out;
    }

    private static long downstream(Span p, Map<String, List<Span>> children, Map<String, Long> memo, int depth) {
        Long known = memo.get(p.spanId());
        if (known != null) {
            return known;
        }
        List<Span> kids = children.get(p.spanId());
        long total = 0;
        if (kids != null && depth < 64) { // a malformed trace may loop
            for (List<Span> group : groups(kids)) {
                long worst = 0;
                for (Span c : group) {
                    long own = c.timeoutMs() > 0 ? c.timeoutMs() : Math.round(c.latencyMs());
                    worst = Math.max(worst, own + downstream(c, children, memo, depth + 1));
                }
                total += worst;
            }
        }
        memo.put(p.spanId(), total);
        return total;
    }

    private static double waited(List<Span> kids) {
        double total = 0;
        for (List<Span> group : groups(kids)) {
            total += group.stream().mapToDouble(Span::latencyMs).max().orElse(0);
        }
        return total;
    }

    private static String chain(Span p, Map<String, List<Span>> children, Map<String, Long> memo) {
        StringBuilder sb = new StringBuilder(p.service());
        Span at = p;
        for (int depth = 0; at != null && depth < 16; depth++) {
            sb.append(" -(").append(ms(at.timeoutMs())).append(")-> ").append(at.destination() != null
                    ? at.destination() : "(no destination)");
            List<Span> kids = children.get(at.spanId());
            Span next = null;
            long worst = -1;
            for (Span c : kids == null ? List.<Span>of() : kids) {
                long v = c.timeoutMs() + memo.getOrDefault(c.spanId(), 0L);
                if (v > worst) {
                    worst = v;
                    next = c;
                }
            }
            at = next;
        }
        return sb.toString();
    }

    static String ms(double v) {
        if (v >= 0 && v < 1e15 && v == Math.rint(v)) {
            // Whole milliseconds (configured timeouts): formatted by hand, as String.format would (half up), which
            // is a fifth of judging a trace otherwise.
            long ms = (long) v;
            if (ms < 1000) {
                return ms + " ms";
            }
            long tenths = (ms + 50) / 100;
            return tenths / 10 + "." + tenths % 10 + " s";
        }
        return v >= 1000 ? String.format(java.util.Locale.ROOT, "%.1f s", v / 1000)
                : String.format(java.util.Locale.ROOT, "%.0f ms", v);
    }
}
