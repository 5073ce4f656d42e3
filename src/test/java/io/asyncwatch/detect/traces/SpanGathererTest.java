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
    void aTraceTooBigForOneRecordLeavesInSeveralEachWithinTheByteLimitAndInOrder() {
        int one = span("t-1", "s0").encodedSizeBound();
        SpanGatherer g = new SpanGatherer(100, 2 * one);
        for (int i = 0; i < 5; i++) {
            g.add(span("t-1", "s" + i));
        }
        g.add(span("t-2", "x"));
        List<SpanBatch> out = g.drain();
        assertEquals(List.of("t-1", "t-1", "t-1", "t-2"), out.stream().map(SpanBatch::traceId).toList());
        assertEquals(List.of(List.of("s0", "s1"), List.of("s2", "s3"), List.of("s4"), List.of("x")),
                out.stream().map(SpanGathererTest::ids).toList());
        for (SpanBatch b : out) {
            int encoded = SpanBatch.SERDE.serializer().serialize(null, b).length;
            assertTrue(encoded <= 2 * one + 64, "a record of " + encoded + " bytes");
        }
    }

    @Test
    void aSpanBiggerThanTheLimitLeavesAlone() {
        SpanGatherer g = new SpanGatherer(100, 10);
        g.add(span("t-1", "1"));
        g.add(span("t-1", "2"));
        assertEquals(List.of(List.of("1"), List.of("2")), g.drain().stream().map(SpanGathererTest::ids).toList());
    }

    @Test
    void theSizeBoundIsNeverBelowWhatASpanTakes() {
        Span wide = new Span("t-1", "s-1", "s-0", "é-1", 1_000, "svc-ü", "service", "db", 1_000, 2.5, "TIMEOUT",
                null, 0, "node-7", 960, 42, java.util.Map.of("node-7", 42L, "ノード", 9L));
        SpanBatch b = SpanBatch.of("t-1", List.of(wide));
        int header = SpanBatch.SERDE.serializer().serialize(null, SpanBatch.of("t-1", List.of())).length;
        int encoded = SpanBatch.SERDE.serializer().serialize(null, b).length - header;
        assertTrue(encoded <= wide.encodedSizeBound(), encoded + " > " + wide.encodedSizeBound());
    }

    @Test
    void refusesAMaximumBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new SpanGatherer(0));
        assertThrows(IllegalArgumentException.class, () -> new SpanGatherer(10, 0));
    }
}
