package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.detect.traces.Span;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What crosses the broker and sits in the stores reads back as written (the link comes back from the key). */
class CausalRecordsTest {

    @Test
    void factsRoundTripWithTheirLinkFromTheKey() {
        CausalFact effect = CausalFact.effect("id:c-1", CausalFact.VIA_CAUSED_BY, "e-2", "node-b", 1_000, 7L,
                Map.of("node-a", 3L, "node-b", 9L)).at("id:c-1", 990);
        CausalFact back = CausalFact.fromBytes(effect.toBytes()).at("id:c-1", 990);
        assertEquals(effect, back);
        CausalFact plain = CausalFact.cause("id:c-1", "c-1", "node-a", 1_200, null, null);
        assertEquals(-1, CausalFact.fromBytes(plain.toBytes()).lamport(), "absent Lamport clock stays absent");
        assertEquals(Map.of(), CausalFact.fromBytes(plain.toBytes()).vectorClock());
        CausalFact tick = CausalFact.tick("requests:3", 5_000);
        assertEquals(tick, CausalFact.fromBytes(tick.toBytes()).at("", 0));
    }

    @Test
    void spansKeepNodeSenderStampAndClocks() {
        Span span = new Span("t-1", "s-2", "s-1", "e-9", 10_000, "svc-order", "service", "db-orders", 1_000, 12.5,
                "SUCCESS", null, 0, "order-7", 9_115, 42, Map.of("order-7", 4L, "gw-1", 2L));
        Span back = Span.SERDE.deserializer().deserialize(null, Span.SERDE.serializer().serialize(null, span));
        assertEquals(span, back);
        Span without = new Span("t-1", "s-3", null, "e-10", 10_000, "svc-order", "service", null, 0, 1.0, "ERROR",
                null, 0);
        assertEquals(without, Span.SERDE.deserializer().deserialize(null,
                Span.SERDE.serializer().serialize(null, without)));
    }
}
