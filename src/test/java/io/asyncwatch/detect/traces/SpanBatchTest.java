package io.asyncwatch.detect.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The format of what crosses the broker to a trace's task. */
class SpanBatchTest {

    private static final long T0 = 1_700_000_000_000L;

    private static Span span(String id, String parent, long time) {
        return new Span("t-1", id, parent, "e-" + id, time, "svc-order", "service", "db-orders", 1_000, 12.5,
                "TIMEOUT", null, 0, "svc-order-2", time - 40, 7, Map.of("svc-order-2", 7L, "db-orders-0", 3L));
    }

    private static SpanBatch roundTrip(SpanBatch b) {
        return SpanBatch.SERDE.deserializer().deserialize(null, SpanBatch.SERDE.serializer().serialize(null, b));
    }

    @Test
    void aTracesSpansComeBackInOrderWithEverythingTheTraceStagesRead() {
        Span plain = new Span("t-1", "s-3", null, "e-3", T0 + 9, "svc-order", "service", null, 0, 1.0, "ERROR", null,
                0);
        SpanBatch b = SpanBatch.of("t-1", List.of(span("s-1", null, T0), span("s-2", "s-1", T0 + 5), plain));
        SpanBatch back = roundTrip(b);
        assertEquals(b, back);
        assertEquals(List.of("s-1", "s-2", "s-3"), back.spans().stream().map(Span::spanId).toList());
        assertFalse(back.isTick());
        assertFalse(back.atRecordTime(), "a batch's spans carry their own event time");
    }

    @Test
    void aTickKeepsItsSourceAndTime() {
        SpanBatch back = roundTrip(SpanBatch.tick("requests:3", T0));
        assertTrue(back.isTick());
        assertEquals("requests:3", back.source());
        assertEquals(T0, back.tick());
        assertEquals(List.of(), back.spans());
    }

    @Test
    void aSingleSpanInTheEarlierFormatIsReadAsABatchOfOneAtItsRecordsTime() {
        Span s = span("s-1", null, T0);
        SpanBatch back = SpanBatch.SERDE.deserializer().deserialize(null, Span.SERDE.serializer().serialize(null, s));
        assertEquals("t-1", back.traceId());
        assertEquals(List.of(s), back.spans());
        assertTrue(back.atRecordTime(), "the earlier format's event time was the record's");
        SpanBatch tick = SpanBatch.SERDE.deserializer().deserialize(null,
                Span.SERDE.serializer().serialize(null, Span.tick("requests:0", T0)));
        assertTrue(tick.isTick());
        assertEquals(T0, tick.tick());
    }

    @Test
    void anUnknownVersionIsRefusedWithItsNumber() {
        byte[] bytes = SpanBatch.SERDE.serializer().serialize(null, SpanBatch.tick("requests:0", T0));
        bytes[0] = 9;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SpanBatch.SERDE.deserializer().deserialize(null, bytes));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }
}
