package io.asyncwatch.time;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The partition clock's rule, event by event, without Kafka. */
class EventClockTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final long YEAR = 365L * 86_400_000L;
    /** grace 30 s, max ahead 30 s, 5 events to start / confirm / refute, 10 s of silence. */
    private static final EventTimeSettings S = new EventTimeSettings(300_000, 30_000, 30_000, 5, 10_000);

    private final List<Long> processed = new ArrayList<>();
    private final List<Long> quarantined = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();

    private void apply(EventClock.Step step) {
        if (step.accepted()) {
            processed.add(times.get((int) step.seq()));
        }
        for (long r : step.release()) {
            processed.add(times.get((int) r));
        }
        for (long q : step.quarantine()) {
            quarantined.add(times.get((int) q));
        }
    }

    private void offer(EventClock c, long time) {
        times.add(time);
        apply(c.offer(time, time));
    }

    @Test
    void startsAtTheMedianOfItsFirstEventsSoAFirstEventAYearOffCannotSetIt() {
        EventClock c = new EventClock(S);
        offer(c, T0 + YEAR);
        for (int i = 1; i < 5; i++) {
            offer(c, T0 + i * 1000);
        }
        assertEquals(T0 + 4000, c.now(), "median of the five, then the reachable ones processed");
        assertEquals(List.of(T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000), processed);
        assertEquals(1, c.heldCount(), "the outlier waits for the stream to confirm or refute it");
        for (int i = 5; i < 10; i++) {
            offer(c, T0 + i * 1000);
        }
        assertEquals(List.of(T0 + YEAR), quarantined, "five events later the rest of the stream refuted it");
        assertEquals(T0 + 9000, c.now());
    }

    @Test
    void aWholeStreamThatJumpsIsFollowedAndNothingIsLost() {
        EventClock c = new EventClock(S);
        for (int i = 0; i < 10; i++) {
            offer(c, T0 + i * 1000);
        }
        long day = 86_400_000L;
        for (int i = 0; i < 5; i++) {
            offer(c, T0 + day + i * 1000);
        }
        assertEquals(T0 + day + 4000, c.now());
        assertEquals(15, processed.size());
        assertEquals(List.of(), quarantined);
    }

    @Test
    void eventsBehindTheClockAreAcceptedLatenessIsTheDetectorsCall() {
        EventClock c = new EventClock(S);
        for (int i = 0; i < 5; i++) {
            offer(c, T0 + i * 1000);
        }
        offer(c, T0 - YEAR);
        assertEquals(T0 - YEAR, processed.get(processed.size() - 1));
        assertEquals(T0 + 4000, c.now(), "an old event does not move the clock back");
    }

    @Test
    void silenceMovesTheClockWithTheWallClockAfterTheAllowance() {
        EventClock c = new EventClock(S);
        for (int i = 0; i < 5; i++) {
            offer(c, T0 + i * 1000);
        }
        apply(c.tick(T0 + 4000 + 10_000));
        assertEquals(T0 + 4000, c.now(), "within the allowance nothing moves");
        apply(c.tick(T0 + 4000 + 70_000));
        assertEquals(T0 + 4000 + 60_000, c.now(), "then the clock follows the wall, less the allowance");
    }

    @Test
    void silenceReleasesHeldEventsItCaughtUpWithAndQuarantinesTheRest() {
        EventClock c = new EventClock(S);
        for (int i = 0; i < 5; i++) {
            offer(c, T0 + i * 1000);
        }
        // Arriving at wall time T0 + 5 s and 6 s: one a minute ahead, one a year ahead.
        times.add(T0 + 60_000);
        apply(c.offer(T0 + 60_000, T0 + 5_000));
        times.add(T0 + YEAR);
        apply(c.offer(T0 + YEAR, T0 + 6_000));
        assertEquals(2, c.heldCount());
        apply(c.tick(T0 + 6_000 + 80_000));
        assertTrue(processed.contains(T0 + 60_000), "the silence reached it: processed");
        assertEquals(List.of(T0 + YEAR), quarantined);
    }

    @Test
    void aQuietStartBeginsWithWhatItHas() {
        EventClock c = new EventClock(S);
        offer(c, T0);
        offer(c, T0 + 1000);
        assertFalse(c.started());
        apply(c.tick(T0 + 1000 + 11_000));
        assertTrue(c.started());
        assertEquals(List.of(T0, T0 + 1000), processed);
    }

    @Test
    void survivesARestart() {
        EventClock c = new EventClock(S);
        for (int i = 0; i < 5; i++) {
            offer(c, T0 + i * 1000);
        }
        offer(c, T0 + YEAR);
        byte[] bytes = c.toBytes();
        EventClock copy = EventClock.fromBytes(bytes, S);
        assertArrayEquals(bytes, copy.toBytes());
        assertEquals(c.now(), copy.now());
        assertEquals(1, copy.heldCount());
    }

    @Test
    void anEmptyPartitionAnnouncesItselfThenStepsAsideWithoutStartingItsOwnClock() {
        EventClock c = new EventClock(S);
        long wall = 1_000_000;
        c.tick(wall);
        assertEquals(EventClock.NONE, c.unstartedTick(wall + 5_000), "may still start: wait for it");
        assertEquals(Watermarks.IDLE, c.unstartedTick(wall + 10_000), "silent for idle-ms: out of the way");
        assertEquals(EventClock.NONE, c.now(), "its own clock is still to be started by its first events");
        offer(c, 1_700_000_000_000L);
        assertEquals(EventClock.NONE, c.unstartedTick(wall + 20_000), "holding an event: it may start");
    }
}
