package io.asyncwatch.detect.clockskew;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterClocksTest {

    private final ClockSkewSettings s = AsyncwatchConfig.fromMap(Map.of()).settings(ClockSkewSettings.SPEC);

    private static Sample reading(String node, double offset) {
        return new Sample(node, true, offset, 1, true, 0, null, 0);
    }

    private static Sample beat(String node, long delay) {
        return new Sample(node, false, 0, 0, true, delay, null, 0);
    }

    @Test
    void mediansAndSeverityBoundaries() {
        assertEquals(2.0, ClusterClocks.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, ClusterClocks.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertTrue(Double.isNaN(ClusterClocks.median(List.of())));
        assertNull(ClusterClocks.skew(100, s), "more than 100 ms is skewed, 100 is not");
        assertEquals(Severity.WARN, ClusterClocks.skew(100.5, s));
        assertEquals(Severity.ALERT, ClusterClocks.skew(200.5, s));
        assertEquals(Severity.PAGE, ClusterClocks.skew(500.5, s));
    }

    @Test
    void offsetsAreJudgedFromTheClusterMedianInAnyArrivalOrder() {
        ClusterClocks a = new ClusterClocks();
        ClusterClocks b = new ClusterClocks();
        List<Sample> samples = List.of(reading("n1", 40), reading("n2", 50), reading("n3", 60), reading("n4", 330),
                reading("n1", 42));
        samples.forEach(x -> a.add(x, 1_000, s));
        for (int i = samples.size() - 1; i >= 0; i--) {
            b.add(samples.get(i), 1_000, s);
        }
        List<ClusterClocks.Row> rows = ClusterClocks.judge(a.windows.firstEntry().getValue(), s);
        assertEquals(rows, ClusterClocks.judge(b.windows.firstEntry().getValue(), s));
        ClusterClocks.Row n4 = rows.get(3);
        // Node medians 41, 50, 60, 330: the cluster's median is 55; the offsets from the reference are all large.
        assertEquals(275.0, n4.fromMedianMs());
        assertEquals(Severity.ALERT, n4.skew());
        assertNull(rows.get(0).skew(), "n1 is 14 ms below the median, whatever its offset from the reference");
    }

    @Test
    void belowMinNodesTheReferenceIsTheYardstick() {
        ClusterClocks c = new ClusterClocks();
        c.add(reading("n1", 120), 1_000, s);
        c.add(reading("n2", 10), 1_000, s);
        List<ClusterClocks.Row> rows = ClusterClocks.judge(c.windows.firstEntry().getValue(), s);
        assertEquals("clock-readings-reference", rows.get(0).basis());
        assertEquals(Severity.WARN, rows.get(0).skew());
        assertNull(rows.get(1).skew());
    }

    @Test
    void heartbeatsEstimateNodesWithoutReadingsAtWarnMost() {
        ClusterClocks c = new ClusterClocks();
        for (int i = 0; i < 5; i++) {
            c.add(beat("n1", 20), 1_000, s);
            c.add(beat("n2", 25), 1_000, s);
            c.add(beat("n3", -580), 1_000, s); // stamped 600 ms ahead of its arrival
        }
        List<ClusterClocks.Row> rows = ClusterClocks.judge(c.windows.firstEntry().getValue(), s);
        ClusterClocks.Row n3 = rows.get(2);
        assertEquals("heartbeats", n3.basis());
        assertEquals(600.0, n3.offsetMs(), "usual delay 20 ms less its -580");
        assertEquals(Severity.WARN, n3.skew(), "600 ms would page from clock readings; from heartbeats, WARN");
        assertFalse(n3.drifting());
    }

    @Test
    void failedSyncStreaksSurviveARestartAndTheOlderFormatStillReads() {
        ClusterClocks c = new ClusterClocks();
        c.failStreaks.put("orders-4", new ClusterClocks.Streak(3, 120_000));
        assertEquals(Map.of("orders-4", new ClusterClocks.Streak(3, 120_000)),
                ClusterClocks.fromBytes(c.toBytes()).failStreaks);
        // Version 1 (the previous release): the same bytes without the streaks at the end.
        byte[] v2 = new ClusterClocks().toBytes();
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 1);
        v1[0] = 1;
        assertEquals(Map.of(), ClusterClocks.fromBytes(v1).failStreaks);
    }

    @Test
    void aStreakOfFailedSyncsIsForgottenAfterAnHourWithoutFailing() {
        ClusterClocks c = new ClusterClocks();
        long t0 = 1_767_225_600_000L;
        java.util.function.LongFunction<ClusterClocks.Window> failing = start -> {
            ClusterClocks.Window w = new ClusterClocks.Window(start);
            ClusterClocks.NodeWindow n = new ClusterClocks.NodeWindow();
            n.readings = 1;
            n.syncFailures = 1;
            n.offsets.add(3.0);
            w.nodes.put("orders-4", n);
            return w;
        };
        c.judgeInOrder(failing.apply(t0), s);
        assertTrue(c.judgeInOrder(failing.apply(t0 + 60_000), s).get(0).syncFailing(), "two in a row");
        ClusterClocks.Row later = c.judgeInOrder(failing.apply(t0 + 60_000 + ClusterClocks.STREAK_FORGET_MS
                + 60_000), s).get(0);
        assertTrue(!later.syncFailing(), "one failure an hour after the last: a streak of one " + later);
    }
}
