package io.asyncwatch.time;

import io.asyncwatch.serde.Bin;
import java.util.Map;
import java.util.TreeMap;

/**
 * The clock of a task fed by several upstream tasks through a re-key: the slowest upstream clock, learnt from the
 * ticks each upstream task sends to every partition. A record can be behind this clock only if its own upstream
 * task was behind, so nothing is judged before every task that could still add to it has moved past it, however
 * far apart the upstream tasks are (a burst, a catch-up). Upstream clocks move on by silence, so this one does too.
 *
 * <p>Which upstream tasks exist is learnt from their ticks, so a fresh task waits {@link #WARMUP_MS} of wall-clock
 * time after the first tick (every upstream task ticks every second) before the clock may move: otherwise the
 * first task to tick would set it alone. Restored sources need no warm-up.
 */
public final class Watermarks {

    public static final long NONE = Long.MIN_VALUE;
    private static final int VERSION = 1;

    public static final long WARMUP_MS = 3_000;

    private final Map<String, Long> sources = new TreeMap<>();
    private long now = NONE;
    private long firstWall = NONE;

    /** Takes a tick received at wall-clock time {@code wall}; true when the clock moved. */
    public boolean observe(String source, long time, long wall) {
        Long previous = sources.get(source);
        if (previous != null && previous >= time) {
            return false;
        }
        sources.put(source, time);
        if (firstWall == NONE) {
            firstWall = sources.size() > 1 || now != NONE ? wall - WARMUP_MS : wall;
        }
        if (wall - firstWall < WARMUP_MS) {
            return false;
        }
        long min = sources.values().stream().mapToLong(Long::longValue).min().orElse(NONE);
        if (min > now) {
            now = min;
            return true;
        }
        return false;
    }

    public long now() {
        return now;
    }

    public byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(now).varlong(sources.size());
        sources.forEach((k, v) -> w.str(k).varlong(v));
        return w.bytes();
    }

    public static Watermarks fromBytes(byte[] bytes) {
        Watermarks m = new Watermarks();
        if (bytes != null) {
            Bin.Reader r = Bin.versioned(bytes, VERSION, "watermarks");
            m.now = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                m.sources.put(r.str(), r.varlong());
            }
        }
        return m;
    }
}
