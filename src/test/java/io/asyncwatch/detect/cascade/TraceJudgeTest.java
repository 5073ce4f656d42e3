package io.asyncwatch.detect.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.detect.traces.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceJudgeTest {

    private static Span span(String id, String parent, String service, String destination, long ts, long timeoutMs,
                             double latencyMs) {
        return new Span("t1", id, parent, "e-" + id, ts, service, "service", destination, timeoutMs, latencyMs,
                "SUCCESS", null, 0);
    }

    @Test
    void theSeedsChainOfOneSecondTimeoutsCascadesAtTheTop() {
        List<TraceJudge.Hit> hits = TraceJudge.judge(List.of(
                span("a", null, "A", "B", 0, 1000, 1000),
                span("b", "a", "B", "C", 10, 1000, 990),
                span("c", "b", "C", "D", 20, 1000, 980)));
        assertEquals(1, hits.size(), "B gives C as long as C gives D: only A is short");
        TraceJudge.Hit h = hits.get(0);
        assertEquals("e-a", h.caller().eventId());
        assertEquals(TraceJudge.Kind.CONFIGURED, h.kind());
        assertEquals(2000, h.neededMs(), "B's 1 s to C plus C's 1 s to D");
        assertEquals("A -(1.0 s)-> B -(1.0 s)-> C -(1.0 s)-> D", h.chain());
    }

    @Test
    void sequentialCallsAddUpAndParallelOnesDoNot() {
        List<Span> sequential = List.of(
                span("p", null, "gw", "order", 0, 1000, 900),
                span("x", "p", "order", "stock", 10, 800, 100),
                span("y", "p", "order", "pay", 200, 800, 100));
        assertEquals(1600, TraceJudge.judge(sequential).get(0).neededMs());
        List<Span> parallel = List.of(
                span("p", null, "gw", "order", 0, 1000, 900),
                span("x", "p", "order", "stock", 10, 800, 300),
                span("y", "p", "order", "pay", 20, 800, 300));
        assertEquals(List.of(), TraceJudge.judge(parallel), "two 800 ms calls at once fit in 1 s");
    }

    @Test
    void aCallerThatGaveUpBeforeItsCalleeFinishedIsObserved() {
        List<TraceJudge.Hit> hits = TraceJudge.judge(List.of(
                span("p", null, "gw", "order", 0, 1000, 1000),
                span("x", "p", "order", "stock", 10, 500, 650),
                span("y", "p", "order", "pay", 700, 500, 600)));
        assertEquals(1, hits.size());
        assertEquals(TraceJudge.Kind.OBSERVED, hits.get(0).kind(), "timeouts add up to 1 s, latencies to 1.25 s");
        assertEquals(1250, hits.get(0).waitedMs(), 1e-9);
    }

    @Test
    void spansWithoutTheirParentOrWithoutATimeoutAreNotJudged() {
        assertEquals(List.of(), TraceJudge.judge(List.of(span("x", "missing", "order", "stock", 0, 100, 5000))));
        assertEquals(List.of(), TraceJudge.judge(List.of(
                span("p", null, "gw", "order", 0, 0, 900),
                span("x", "p", "order", "stock", 10, 5000, 100))), "no timeout on the caller: nothing to judge");
    }

    @Test
    void durationsReadAsStringFormatWouldWriteThem() {
        for (long ms = 0; ms <= 200_000; ms++) {
            String expected = ms >= 1000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0)
                    : String.format(java.util.Locale.ROOT, "%.0f ms", (double) ms);
            org.junit.jupiter.api.Assertions.assertEquals(expected, TraceJudge.ms(ms), "ms " + ms);
        }
        org.junit.jupiter.api.Assertions.assertEquals("13 ms", TraceJudge.ms(12.6));
        org.junit.jupiter.api.Assertions.assertEquals("1.1 s", TraceJudge.ms(1_050.0));
        org.junit.jupiter.api.Assertions.assertEquals("3.5 s", TraceJudge.ms(3_456.7));
    }
}
