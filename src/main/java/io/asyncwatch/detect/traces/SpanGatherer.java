package io.asyncwatch.detect.traces;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spans gathered per trace between two sends: traces in order of their first span, each trace's spans in order. A
 * trace's spans go out in as many batches as keep each record well under Kafka's 1 MB default record size limit.
 */
final class SpanGatherer {

    /** Per batch record: far under {@code max.request.size} / {@code message.max.bytes} (1 MB by default). */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    private final int maxSpans;
    private final int maxBatchBytes;
    private final Map<String, List<Span>> byTrace = new LinkedHashMap<>();
    private int spans;

    /** @param maxSpans how many spans it holds before {@link #add} says to send them */
    SpanGatherer(int maxSpans) {
        this(maxSpans, MAX_BATCH_BYTES);
    }

    SpanGatherer(int maxSpans, int maxBatchBytes) {
        if (maxSpans < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxSpans and maxBatchBytes must be at least 1, got " + maxSpans
                    + " and " + maxBatchBytes);
        }
        this.maxSpans = maxSpans;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** Adds a span (not a tick); true when the gatherer is full and should be drained now. */
    boolean add(Span span) {
        byTrace.computeIfAbsent(span.traceId(), t -> new ArrayList<>(4)).add(span);
        return ++spans >= maxSpans;
    }

    boolean isEmpty() {
        return spans == 0;
    }

    /**
     * The batches to send, and empty again: per trace, consecutive spans up to {@code maxBatchBytes} (by
     * {@link Span#encodedSizeBound}) each; a span bigger than that alone.
     */
    List<SpanBatch> drain() {
        List<SpanBatch> out = new ArrayList<>(byTrace.size());
        byTrace.forEach((trace, list) -> {
            int from = 0;
            long bytes = 0;
            for (int i = 0; i < list.size(); i++) {
                int size = list.get(i).encodedSizeBound();
                if (i > from && bytes + size > maxBatchBytes) {
                    out.add(SpanBatch.of(trace, list.subList(from, i)));
                    from = i;
                    bytes = 0;
                }
                bytes += size;
            }
            out.add(SpanBatch.of(trace, from == 0 ? list : list.subList(from, list.size())));
        });
        byTrace.clear();
        spans = 0;
        return out;
    }

    void clear() {
        byTrace.clear();
        spans = 0;
    }
}
