package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.traces.Span;
import io.asyncwatch.serde.Bin;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored form of a trace's spans on the span-links stage: what judging a link needs survives a restart. */
class TraceLinksFormatTest {

    /** 2023-11-14T22:13:20Z. */
    private static final long T = 1_700_000_000_000L;

    private static Span span(String id, String parent, String node, long timestamp, long sentAt, long lamport,
                             Map<String, Long> clock) {
        return new Span("trace-1", id, parent, "event-" + id, timestamp, "svc-pay", "service", "db-pay", 800, 12.5,
                "TIMEOUT", null, 0, node, sentAt, lamport, clock);
    }

    private static SpanLinksProcessor.TraceLinks links() {
        SpanLinksProcessor.TraceLinks t = new SpanLinksProcessor.TraceLinks();
        t.firstSeen = T;
        Span root = span("a", null, "pod-1", T, T - 5, 7, Map.of("pod-1", 7L, "pod-2", 3L));
        Span child = span("b", "a", "pod-2", T + 10, T + 900, -1, Map.of());
        t.spans.put(root.spanId(), root);
        t.spans.put(child.spanId(), child);
        t.waiting.add(span("c", "x", "svc-pay", T + 20, T + 20, 2, Map.of("svc-pay", 2L)));
        return t;
    }

    /** The fields a link's verdict and its outcome read. */
    private static List<Object> linkFields(Span s) {
        return List.of(s.traceId(), s.spanId(), String.valueOf(s.parentSpanId()), s.eventId(), s.timestamp(),
                s.node(), s.sentAt(), s.lamport(), s.vectorClock());
    }

    @Test
    void whatJudgingALinkReadsIsKeptAndInOrder() {
        SpanLinksProcessor.TraceLinks t = links();
        SpanLinksProcessor.TraceLinks back = SpanLinksProcessor.TraceLinks.fromBytes(t.toBytes(), "trace-1");
        assertEquals(t.firstSeen, back.firstSeen);
        assertEquals(List.copyOf(t.spans.keySet()), List.copyOf(back.spans.keySet()));
        for (String id : t.spans.keySet()) {
            assertEquals(linkFields(t.spans.get(id)), linkFields(back.spans.get(id)), id);
        }
        assertEquals(t.waiting.stream().map(TraceLinksFormatTest::linkFields).toList(),
                back.waiting.stream().map(TraceLinksFormatTest::linkFields).toList());
        // The cascade stage's fields are not this store's: a stored trace is smaller than the whole spans.
        assertTrue(t.toBytes().length < wholeSpans(t).length, t.toBytes().length + " vs " + wholeSpans(t).length);
    }

    @Test
    void linksReadBackAndAddedTo_AreStoredAsIfEveryOneHadBeenEncodedAgain() {
        SpanLinksProcessor.TraceLinks back = SpanLinksProcessor.TraceLinks.fromBytes(links().toBytes(), "trace-1");
        Span d = span("d", "b", "pod-3", T + 30, T + 31, 9, Map.of("pod-3", 9L));
        back.put(d);
        back.waiting.clear();
        Span e = span("e", "y", "pod-3", T + 40, T + 41, 10, Map.of());
        back.waiting.add(e);

        SpanLinksProcessor.TraceLinks decoded = links();
        decoded.spans.put(d.spanId(), d);
        decoded.waiting.clear();
        decoded.waiting.add(e);
        assertArrayEquals(decoded.toBytes(), back.toBytes());

        // Read back once more and added to: the reused bytes are the last stored ones.
        SpanLinksProcessor.TraceLinks again = SpanLinksProcessor.TraceLinks.fromBytes(back.toBytes(), "trace-1");
        Span f = span("f", "d", "pod-1", T + 50, T + 51, 11, Map.of());
        again.put(f);
        decoded.spans.put(f.spanId(), f);
        assertArrayEquals(decoded.toBytes(), again.toBytes());
    }

    @Test
    void aStoredLinkReplacedByAnEarlierStampIsStoredAsReplaced() {
        SpanLinksProcessor.TraceLinks back = SpanLinksProcessor.TraceLinks.fromBytes(links().toBytes(), "trace-1");
        Span earlierB = span("b", "a", "pod-2", T + 10, T + 1, -1, Map.of());
        back.put(earlierB);
        SpanLinksProcessor.TraceLinks reread = SpanLinksProcessor.TraceLinks.fromBytes(back.toBytes(), "trace-1");
        assertEquals(T + 1, reread.spans.get("b").sentAt());
        assertEquals(List.of("a", "b"), List.copyOf(reread.spans.keySet()));
        SpanLinksProcessor.TraceLinks decoded = links();
        decoded.spans.put("b", earlierB);
        assertArrayEquals(decoded.toBytes(), back.toBytes());
    }

    @Test
    void tracesStoredAsWholeSpansByThePreviousFormatAreStillRead() {
        SpanLinksProcessor.TraceLinks t = links();
        SpanLinksProcessor.TraceLinks back = SpanLinksProcessor.TraceLinks.fromBytes(wholeSpans(t), "trace-1");
        assertEquals(t.firstSeen, back.firstSeen);
        assertEquals(List.copyOf(t.spans.values()), List.copyOf(back.spans.values()));
        assertEquals(t.waiting, back.waiting);
    }

    @Test
    void anUnknownVersionIsRefusedWithWhatItIs() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SpanLinksProcessor.TraceLinks.fromBytes(new byte[] {9, 0, 0, 0}, "trace-1"));
        assertTrue(e.getMessage().contains("trace links format version 9"), e.getMessage());
    }

    /** Version 1, as the previous release wrote it: every span whole. */
    private static byte[] wholeSpans(SpanLinksProcessor.TraceLinks t) {
        Bin.Writer w = Bin.writer().u8(1).varlong(t.firstSeen).varlong(t.spans.size());
        t.spans.values().forEach(s -> s.write(w));
        w.varlong(t.waiting.size());
        t.waiting.forEach(s -> s.write(w));
        return w.bytes();
    }
}
