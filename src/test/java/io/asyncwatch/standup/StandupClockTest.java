package io.asyncwatch.standup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.time.Watermarks;
import org.junit.jupiter.api.Test;

/** The standup's clock: the slowest upstream task, once the warm-up has passed. */
class StandupClockTest {

    private static final long W = 1_000_000L; // wall clock
    private static final long T = 1_700_000_000_000L; // event time

    @Test
    void theSlowestTaskAfterTheWarmUp() {
        StandupClock c = new StandupClock(30_000);
        assertFalse(c.observe("retry-storm:0", T + 50, W));
        assertFalse(c.observe("causality:0", T + 20, W + 1_000));
        assertFalse(c.observe("retry-storm:1", T + 10, W + 20_000), "still warming up");
        assertTrue(c.observe("retry-storm:1", T + 30, W + 31_000));
        assertEquals(T + 20, c.now(), "causality:0 is the slowest");
        assertFalse(c.observe("retry-storm:0", T + 60, W + 32_000), "not the slowest: no move");
        assertTrue(c.observe("causality:0", T + 100, W + 33_000));
        assertEquals(T + 30, c.now());
    }

    @Test
    void aTaskWithoutAClockHoldsItUntilItsOwnStarts() {
        StandupClock c = new StandupClock(1_000);
        c.observe("causality:0", Watermarks.NONE, W);
        assertFalse(c.observe("retry-storm:0", T + 1_000, W + 60_000), "causality has not started: wait for it");
        assertEquals(Watermarks.NONE, c.now());
        assertTrue(c.observe("causality:0", T + 500, W + 61_000));
        assertEquals(T + 500, c.now());
    }

    @Test
    void aTaskOfAStageFedOnlyByClocksAndHeartbeatsHoldsItDuringTheWarmUpOnly() {
        StandupClock c = new StandupClock(1_000);
        c.observe("clock-skew:0", Watermarks.NONE, W);
        assertFalse(c.observe("retry-storm:0", T, W + 500));
        assertEquals(Watermarks.NONE, c.now());
        assertTrue(c.observe("retry-storm:0", T + 1_000, W + 2_000), "no clock readings must not stop the standup");
        assertEquals(T + 1_000, c.now());
        assertFalse(c.observe("clock-skew:0", T + 2_000, W + 3_000), "ahead of the slowest: no move");
        assertEquals(T + 1_000, c.now());
        assertTrue(c.observe("retry-storm:0", T + 5_000, W + 4_000));
        assertEquals(T + 2_000, c.now(), "once its clock started it counts like any other");
    }

    @Test
    void anIdleTaskNeverHoldsTheClock() {
        StandupClock c = new StandupClock(0);
        c.observe("a:0", Watermarks.IDLE, W);
        assertTrue(c.observe("a:1", T, W));
        assertEquals(T, c.now(), "an idle task steps aside");
    }

    @Test
    void aTaskFirstHeardBehindTheClockIsNamedOnceAndCannotMoveItBack() {
        StandupClock c = new StandupClock(0);
        c.observe("a:0", T + 100, W);
        assertNull(c.drainLateJoiner());
        assertFalse(c.observe("a:1", T + 50, W + 1));
        assertEquals("a:1", c.drainLateJoiner());
        assertNull(c.drainLateJoiner());
        assertEquals(T + 100, c.now(), "never backwards");
    }

    @Test
    void aTaskAnnouncedAfterTheClockStartedIsNamedWhenItsFirstTimeIsBehindIt() {
        StandupClock c = new StandupClock(0);
        c.observe("a:0", T + 100, W);
        c.observe("b:0", Watermarks.NONE, W + 1);
        assertNull(c.drainLateJoiner(), "an announcement has no time to be late with");
        c.observe("b:0", T + 50, W + 2);
        assertEquals("b:0", c.drainLateJoiner());
        c.observe("c:0", Watermarks.NONE, W + 3);
        c.observe("c:0", T + 150, W + 4);
        assertNull(c.drainLateJoiner(), "ahead of the clock: not late");
    }

    @Test
    void itsStateSurvivesTheStore() {
        StandupClock c = new StandupClock(0);
        c.observe("a:0", T + 100, W);
        c.observe("a:1", T + 200, W);
        StandupClock back = StandupClock.fromBytes(c.toBytes(), 0);
        assertEquals(T + 100, back.now());
        assertTrue(back.observe("a:0", T + 300, W + 5));
        assertEquals(T + 200, back.now());
    }
}
