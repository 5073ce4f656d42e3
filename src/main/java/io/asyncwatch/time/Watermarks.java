package io.asyncwatch.time;

import io.asyncwatch.serde.Bin;
import java.util.Map;
import java.util.TreeMap;

/**
 * The clock of a task fed by several upstream tasks through a re-key: the slowest upstream clock, learnt from the
 * ticks each upstream task sends to every partition. A record can be behind this clock only if its own upstream
 * task was behind, so nothing is judged before every task that could still add to it has moved past it, however
 * far apart the upstream tasks are (a burst, a catch-up). Upstream clocks move on by silence, so this one does too.
 */
public final class Watermarks {

    public static final long NONE = Long.MIN_VALUE;
    private static final int VERSION = 1;

    private final Map<String, Long> sources = new TreeMap<>();
    private long now = NONE;

    /** Takes a tick; true when the clock moved. */
    public boolean observe(String source, long time) {
        Long previous = sources.get(source);
        if (previous != null && previous >= time) {
            return false;
        }
        sources.put(source, time);
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
