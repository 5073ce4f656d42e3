package io.asyncwatch.detect.logicalclock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which pairs of kept readings have left-out readings between them (and so are not judged). */
class LostReadingsTest {

    private static void keep(LogicalClockProcessor.NodeClocks n, long time) {
        n.lastKept = Math.max(n.lastKept, time);
    }

    @Test
    void onlyPairsAroundALeftOutRunAreSkipped() {
        LogicalClockProcessor.NodeClocks n = new LogicalClockProcessor.NodeClocks();
        for (long t = 0; t < 10; t++) {
            keep(n, t);
        }
        for (long t = 10; t < 100; t++) {
            n.lose(t);
        }
        for (long t = 100; t < 110; t++) {
            keep(n, t);
        }
        for (long t = 110; t < 200; t++) {
            n.lose(t);
        }
        for (long t = 200; t < 210; t++) {
            keep(n, t);
        }
        assertEquals(2, n.lost.size(), "one span per run left out");
        assertFalse(n.lostBetween(3, 4), "kept neighbours before any loss");
        assertTrue(n.lostBetween(9, 100), "across the first run left out");
        assertFalse(n.lostBetween(104, 105), "kept neighbours between two runs left out: judged");
        assertTrue(n.lostBetween(109, 200));
        assertFalse(n.lostBetween(205, 206));
    }

    @Test
    void aReadingLeftOutInTheSameMillisecondAsAKeptOneStillCounts() {
        LogicalClockProcessor.NodeClocks n = new LogicalClockProcessor.NodeClocks();
        keep(n, 50);
        n.lose(50);
        assertTrue(n.lostBetween(50, 51));
        assertTrue(n.lostBetween(49, 50));
    }

    @Test
    void manySpansAreMergedIntoAFewWiderOnes() {
        LogicalClockProcessor.NodeClocks n = new LogicalClockProcessor.NodeClocks();
        for (long run = 0; run < 100; run++) {
            keep(n, run * 10);
            n.lose(run * 10 + 5);
        }
        assertTrue(n.lost.size() <= 32, "bounded: " + n.lost.size());
        for (long run = 0; run < 100; run++) {
            assertTrue(n.lostBetween(run * 10, run * 10 + 9), "every left-out reading still covered, run " + run);
        }
    }
}
