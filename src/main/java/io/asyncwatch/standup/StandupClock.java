package io.asyncwatch.standup;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.time.Watermarks;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The standup's clock: the slowest clock of the upstream tasks that feed it (detector stages of several partition
 * counts, learnt from their ticks). It starts once every detector it reads has a task ticking and a warm-up of wall
 * time has passed since the first tick, so that upstream tasks starting a few seconds apart are all waited for: a
 * task first heard from after the clock has passed its time would make its points late. Pure Java.
 */
final class StandupClock {

    private static final int VERSION = 1;

    private final Set<String> required;
    private final long warmupMs;
    private final Map<String, Long> lanes = new TreeMap<>();
    private long firstWall = Watermarks.NONE;
    private long now = Watermarks.NONE;
    private String lateJoiner;

    /**
     * @param required the stages (a source's name up to its last ':', e.g. {@code retry-storm}) that must each have
     *                 ticked before the clock starts
     */
    StandupClock(Set<String> required, long warmupMs) {
        this.required = Set.copyOf(required);
        this.warmupMs = warmupMs;
    }

    /** Takes a tick of {@code source} received at wall-clock time {@code wall}; true when the clock moved. */
    boolean observe(String source, long time, long wall) {
        if (firstWall == Watermarks.NONE) {
            firstWall = wall;
        }
        Long previous = lanes.get(source);
        if (previous == null && now != Watermarks.NONE && time != Watermarks.IDLE && time < now) {
            lateJoiner = source;
        }
        if (previous != null && previous != Watermarks.IDLE && previous >= time) {
            return false;
        }
        lanes.put(source, time);
        if (!started(wall)) {
            return false;
        }
        long min = lanes.values().stream().mapToLong(Long::longValue).filter(t -> t != Watermarks.IDLE).min()
                .orElse(Watermarks.NONE);
        if (min > now) {
            now = min;
            return true;
        }
        return false;
    }

    private boolean started(long wall) {
        if (now != Watermarks.NONE) {
            return true;
        }
        if (wall - firstWall < warmupMs) {
            return false;
        }
        for (String stage : required) {
            if (lanes.keySet().stream().noneMatch(s -> stage(s).equals(stage))) {
                return false;
            }
        }
        return true;
    }

    static String stage(String source) {
        int colon = source.lastIndexOf(':');
        return colon < 0 ? source : source.substring(0, colon);
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

    static StandupClock fromBytes(byte[] bytes, Set<String> required, long warmupMs) {
        StandupClock c = new StandupClock(required, warmupMs);
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
