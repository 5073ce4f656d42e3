package io.asyncwatch.detect.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpanGathererTest {

    private static Span span(String trace, String id) {
        return new Span(trace, id, null, "e-" + id, 1_000, "svc", "service", null, 0, 1.0, "SUCCESS", null, 0);
    }

    private static List<String> ids(SpanBatch b) {
        return b.spans().stream().map(Span::spanId).toList();
    }

    @Test
    void oneBatchPerTraceInOrderOfFirstSpanWithItsSpansInArrivalOrder() {
        SpanGatherer g = new SpanGatherer(100);
        g.add(span("t-b", "1"));
        g.add(span("t-a", "2"));
        g.add(span("t-b", "3"));
        g.add(span("t-c", "4"));
        g.add(span("t-a", "5"));
        List<SpanBatch> out = g.drain();
        assertEquals(List.of("t-b", "t-a", "t-c"), out.stream().map(SpanBatch::traceId).toList());
        assertEquals(List.of("1", "3"), ids(out.get(0)));
        assertEquals(List.of("2", "5"), ids(out.get(1)));
        assertEquals(List.of("4"), ids(out.get(2)));
        assertTrue(g.isEmpty());
        assertEquals(List.of(), g.drain(), "drained: nothing is sent twice");
    }

    @Test
    void saysToSendWhenItHoldsItsMaximumAndStartsAfreshAfterADrain() {
        SpanGatherer g = new SpanGatherer(3);
        assertFalse(g.add(span("t-1", "1")));
        assertFalse(g.add(span("t-2", "2")));
        assertTrue(g.add(span("t-1", "3")), "three spans, whatever their traces");
        assertEquals(2, g.drain().size());
        assertFalse(g.add(span("t-1", "4")));
        assertFalse(g.isEmpty());
        g.clear();
        assertTrue(g.isEmpty());
        assertEquals(List.of(), g.drain());
    }

    @Test
    void refusesAMaximumBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new SpanGatherer(0));
    }
}
