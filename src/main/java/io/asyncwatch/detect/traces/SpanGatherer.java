package io.asyncwatch.detect.traces;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spans gathered per trace between two sends: traces in order of their first span, each trace's spans in order. */
final class SpanGatherer {

    private final int maxSpans;
    private final Map<String, List<Span>> byTrace = new LinkedHashMap<>();
    private int spans;

    /** @param maxSpans how many spans it holds before {@link #add} says to send them */
    SpanGatherer(int maxSpans) {
        if (maxSpans < 1) {
            throw new IllegalArgumentException("maxSpans must be at least 1, got " + maxSpans);
        }
        this.maxSpans = maxSpans;
    }

    /** Adds a span (not a tick); true when the gatherer is full and should be drained now. */
    boolean add(Span span) {
        byTrace.computeIfAbsent(span.traceId(), t -> new ArrayList<>(4)).add(span);
        return ++spans >= maxSpans;
    }

    boolean isEmpty() {
        return spans == 0;
    }

    /** One batch per trace, and empty again. */
    List<SpanBatch> drain() {
        List<SpanBatch> out = new ArrayList<>(byTrace.size());
        byTrace.forEach((trace, list) -> out.add(SpanBatch.of(trace, list)));
        byTrace.clear();
        spans = 0;
        return out;
    }

    void clear() {
        byTrace.clear();
        spans = 0;
    }
}
