package io.asyncwatch.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The slowest upstream clock, waiting for every upstream task the runner says there is. */
class WatermarksTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long WALL = 1_000_000;

    @Test
    void withAnExpectedCountTheClockWaitsForEveryUpstreamTaskHoweverLateItStarts() {
        Watermarks w = Watermarks.fromBytes(null, 3);
        for (int s = 0; s < 30; s++) {
            assertFalse(w.observe("requests:1", T0 + s * 60_000, WALL + s * 1_000));
            assertFalse(w.observe("requests:2", T0 + s * 60_000, WALL + s * 1_000));
        }
        assertEquals(Watermarks.NONE, w.now(), "two of three tasks ticking for 30 s do not move it");
        assertFalse(w.observe("requests:5", Watermarks.NONE, WALL + 31_000), "announced, not started");
        assertTrue(w.observe("requests:5", T0 + 5 * 60_000, WALL + 32_000));
        assertEquals(T0 + 5 * 60_000, w.now(), "the late task is the slowest");
    }

    @Test
    void theLearntSourcesAndTheCountSurviveARestart() {
        Watermarks w = Watermarks.fromBytes(null, 2);
        w.observe("a", T0, WALL);
        w.observe("b", T0 + 1_000, WALL);
        Watermarks restored = Watermarks.fromBytes(w.toBytes(), 2);
        assertEquals(T0, restored.now());
        assertFalse(restored.observe("b", T0 + 9_000, WALL + 10), "a still holds it");
        assertTrue(restored.observe("a", T0 + 5_000, WALL + 20));
        assertEquals(T0 + 5_000, restored.now());
    }

    @Test
    void withoutACountSourcesAreLearntDuringTheWarmUp() {
        Watermarks w = Watermarks.fromBytes(null, 0);
        assertFalse(w.observe("a", T0 + 60_000, WALL));
        assertFalse(w.observe("b", T0, WALL + 1_000));
        assertTrue(w.observe("a", T0 + 61_000, WALL + Watermarks.WARMUP_MS));
        assertEquals(T0, w.now());
    }

    @Test
    void theCountComesFromTheAppConfigs() {
        assertEquals(6, Watermarks.expectedSources(Map.of(Watermarks.EXPECTED_SOURCES, "6")));
        assertEquals(0, Watermarks.expectedSources(Map.of()));
    }

    @Test
    void anIdlePartitionCountsAsHeardFromHoldsNothingAndIsReplacedByItsFirstRealTickHoweverLow() {
        Watermarks w = Watermarks.fromBytes(null, 2);
        assertFalse(w.observe("requests:0", Watermarks.IDLE, WALL), "idle alone: no clock to follow");
        assertEquals(Watermarks.NONE, w.now());
        assertTrue(w.observe("requests:1", T0 + 60_000, WALL));
        assertEquals(T0 + 60_000, w.now(), "the idle partition does not hold it");
        assertFalse(w.observe("requests:0", T0 + 30_000, WALL + 1_000), "a backfill arrives behind it");
        assertFalse(w.observe("requests:1", T0 + 90_000, WALL + 2_000), "now the backfilled partition holds it");
        assertTrue(w.observe("requests:0", T0 + 95_000, WALL + 3_000));
        assertEquals(T0 + 90_000, w.now());
    }

    @Test
    void aTickGoesOutStampedWithItsTimeOrTheWallClockWhenItHasNone() {
        assertEquals(T0, Watermarks.stamp(T0, WALL));
        assertEquals(WALL, Watermarks.stamp(Watermarks.NONE, WALL), "an announcement: a timestamp may not be negative");
        assertEquals(WALL, Watermarks.stamp(Watermarks.IDLE, WALL), "an idle partition's tick is not a time either");
    }
}
