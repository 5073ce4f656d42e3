package io.asyncwatch.detect.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.calls.LatencySketch;
import org.junit.jupiter.api.Test;

class TailHistoryTest {

    private static final long M = 60_000;
    private static final long HOUR = 60 * M;

    /** 100 calls: {@code slow} of them at 1 s, the rest at 20 ms. */
    private static LatencySketch window(int slow) {
        LatencySketch s = new LatencySketch();
        for (int i = 0; i < 100; i++) {
            s.add(i < slow ? 1000 : 20);
        }
        return s;
    }

    @Test
    void theUsualExtremeIsThatOfTheWholeSpanNotOfATypicalWindow() {
        // Every other window has 3 % timeouts: a typical window's p99.9 is 20 ms or 1 s, the hour's is the timeout.
        TailHistory h = new TailHistory();
        for (int m = 0; m < 30; m++) {
            h.add(m * M, window(m % 2 == 0 ? 3 : 0), HOUR);
        }
        TailHistory.Baseline b = h.baseline(30 * M, HOUR);
        assertEquals(30, b.windows());
        assertEquals(1000, b.p999(), 1000 * 0.01, "the hour's extreme is the timeout");
    }

    @Test
    void bucketsOlderThanTheSpanAreDroppedAndTheRoundTripKeepsThem() {
        TailHistory h = new TailHistory();
        for (int m = 0; m < 150; m++) {
            h.add(m * M, window(0), HOUR);
        }
        assertTrue(h.buckets() <= TailHistory.BUCKETS + 1, "at most an hour of 10-minute buckets: " + h.buckets());
        TailHistory back = TailHistory.fromBytes(h.toBytes());
        assertEquals(h.baseline(150 * M, HOUR).windows(), back.baseline(150 * M, HOUR).windows());
        assertEquals(h.baseline(150 * M, HOUR).p999(), back.baseline(150 * M, HOUR).p999());
        assertTrue(Double.isNaN(new TailHistory().baseline(0, HOUR).p999()), "no baseline without windows");
    }
}
