package io.asyncwatch.standup;

import io.asyncwatch.detect.Detectors;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.time.Watermarks;
import java.util.Map;
import java.util.TreeMap;

/**
 * The standup's clock: the slowest clock of the upstream tasks that feed it (detector stages of several partition
 * counts, learnt from their ticks). It starts once a warm-up of wall time has passed since the first tick, so that
 * upstream tasks starting seconds apart are all waited for: a task first heard from after the clock has passed its
 * time would make its points late (it is named, {@link #drainLateJoiner}). A task that has announced itself without a
 * clock of its own holds the clock until its own starts, unless its stage is fed only by heartbeats and clock readings
 * ({@link Detectors#optionalInput}), topics a deployment may not have: a detector without data must not stop the
 * standup. Pure Java.
 */
final class StandupClock {

    private static final int VERSION = 1;

    private final long warmupMs;
    private final Map<String, Long> lanes = new TreeMap<>();
    private long firstWall = Watermarks.NONE;
    private long now = Watermarks.NONE;
    private String lateJoiner;

    StandupClock(long warmupMs) {
        this.warmupMs = warmupMs;
    }

    /** Takes a tick of {@code source} received at wall-clock time {@code wall}; true when the clock moved. */
    boolean observe(String source, long time, long wall) {
        if (firstWall == Watermarks.NONE) {
            firstWall = wall;
        }
        Long previous = lanes.get(source);
        // Late: its first real time is behind the clock (an announcement has no time yet; an idle task none at all).
        if ((previous == null || previous == Watermarks.NONE) && now != Watermarks.NONE && time != Watermarks.IDLE
                && time != Watermarks.NONE && time < now) {
            lateJoiner = source;
        }
        if (previous != null && previous != Watermarks.IDLE && previous >= time) {
            return false;
        }
        lanes.put(source, time);
        if (now == Watermarks.NONE && wall - firstWall < warmupMs) {
            return false;
        }
        long min = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : lanes.entrySet()) {
            long t = e.getValue();
            if (t == Watermarks.IDLE || (t == Watermarks.NONE && Detectors.optionalInput(e.getKey()))) {
                continue;
            }
            min = Math.min(min, t);
        }
        if (min == Long.MAX_VALUE || min == Watermarks.NONE) {
            return false;
        }
        if (min > now) {
            now = min;
            return true;
        }
        return false;
    }

    long now() {
        return now;
    }

    /** The last upstream task first heard from behind the clock since the previous call (its points are late). */
    String drainLateJoiner() {
        String s = lateJoiner;
        lateJoiner = null;
        return s;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(firstWall).varlong(now).varlong(lanes.size());
        lanes.forEach((k, v) -> w.str(k).varlong(v));
        return w.bytes();
    }

    static StandupClock fromBytes(byte[] bytes, long warmupMs) {
        StandupClock c = new StandupClock(warmupMs);
        if (bytes != null) {
            Bin.Reader r = Bin.versioned(bytes, VERSION, "standup clock");
            c.firstWall = r.varlong();
            c.now = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                c.lanes.put(r.str(), r.varlong());
            }
        }
        return c;
    }
}
