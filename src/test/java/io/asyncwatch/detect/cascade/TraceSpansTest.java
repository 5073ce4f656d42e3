package io.asyncwatch.detect.cascade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.traces.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A trace's spans as the cascade stage stores them: spans read back stay encoded and are written back unchanged. */
class TraceSpansTest {

    /** 2023-11-14T22:13:20Z. */
    private static final long T = 1_700_000_000_000L;

    private static Span span(String id, String parent, long timestamp, Map<String, Long> clock) {
        return new Span("trace-1", id, parent, "event-" + id, timestamp, "svc-pay", "service", "db-pay", 800, 12.5,
                "TIMEOUT", null, 0, "pod-" + id, timestamp - 3, 4, clock);
    }

    private static final Span A = span("a", null, T, Map.of("pod-a", 1L));
    private static final Span B = span("b", "a", T + 10, Map.of());
    private static final Span C = span("c", "b", T + 20, Map.of("pod-a", 1L, "pod-c", 2L));
    private static final Span D = span("d", "b", T + 5, Map.of());

    @Test
    void spansReadBackAndAddedTo_AreStoredAsIfEveryOneHadBeenDecoded() {
        TraceSpans stored = TraceSpans.of(T, List.of(A, B));
        TraceSpans back = TraceSpans.fromBytes(stored.toBytes());
        back.add(C);
        back.add(D);
        assertEquals(4, back.size());
        assertEquals(List.of(A, B, C, D), back.spans("trace-1"));
        assertArrayEquals(TraceSpans.of(T, List.of(A, B, C, D)).toBytes(), back.toBytes());

        // Over several commits: read back, added to, written back again.
        TraceSpans again = TraceSpans.fromBytes(back.toBytes());
        Span e = span("e", "d", T + 30, Map.of("pod-e", 9L));
        again.add(e);
        assertEquals(List.of(A, B, C, D, e), again.spans("trace-1"));
        assertArrayEquals(TraceSpans.of(T, List.of(A, B, C, D, e)).toBytes(), again.toBytes());
    }

    @Test
    void anEarlierFirstSpanMovesTheAnchorAndKeepsEverySpan() {
        TraceSpans back = TraceSpans.fromBytes(TraceSpans.of(T, List.of(B)).toBytes());
        back.add(C);
        Span early = span("x", null, T - 50, Map.of());
        TraceSpans moved = back.withFirst(early.timestamp());
        moved.add(early);
        assertEquals(T - 50, moved.first);
        assertEquals(List.of(B, C, early), moved.spans("trace-1"));
        TraceSpans reread = TraceSpans.fromBytes(moved.toBytes());
        assertEquals(T - 50, reread.first);
        assertEquals(List.of(B, C, early), reread.spans("trace-1"));
    }

    @Test
    void aNewTraceAndAnEmptyOneRoundTrip() {
        assertEquals(List.of(), TraceSpans.fromBytes(TraceSpans.of(T, List.of()).toBytes()).spans("trace-1"));
        List<Span> spans = new ArrayList<>(List.of(A));
        TraceSpans t = TraceSpans.of(T, spans);
        spans.add(B); // the trace keeps its own list
        assertEquals(List.of(A), t.spans("trace-1"));
    }

    @Test
    void anUnknownVersionIsRefusedWithWhatItIs() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TraceSpans.fromBytes(new byte[] {7, 0, 0}));
        assertTrue(e.getMessage().contains("trace format version 7"), e.getMessage());
    }
}
