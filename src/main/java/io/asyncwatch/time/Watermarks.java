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
 * <p>How many upstream tasks there are is the partition count of the re-keyed input ({@link #EXPECTED_SOURCES},
 * passed by the runner, which reads it from the cluster; 1 in replay): the clock does not move before every one of
 * them has ticked with a started clock. Upstream tasks announce themselves with a {@link #NONE} tick before their
 * own clock has started, and an input partition that stays empty ticks {@link #IDLE} once it has been silent for
 * the idle time, so an empty partition cannot hold the clock back for ever. Without the count (a test driving
 * one stage alone), sources are learnt during {@link #WARMUP_MS} of wall-clock time after the first tick; that
 * guess is only as good as the upstream tasks' start: one that starts later than that is missed.
 */
public final class Watermarks {

    public static final long NONE = Long.MIN_VALUE;
    /**
     * The tick of an input partition that has stayed empty: it counts as heard from but never holds the clock, and
     * the partition's first real tick replaces it, however low.
     */
    public static final long IDLE = Long.MAX_VALUE;
    private static final int VERSION = 1;

    public static final long WARMUP_MS = 3_000;
    /**
     * Partitions of a stage fed by pre-aggregates, findings, heartbeats or clock samples (a few records per key and
     * second, not the request stream): one task keeps up, and each further partition would only add a task that
     * commits, joins transactions and passes ticks on. The stage after it waits for this many upstream tasks.
     */
    public static final int LIGHT_STAGE_PARTITIONS = 1;
    /**
     * Streams property (read from the processor context's app configs): the number of upstream tasks of a stage fed
     * by the input partitions' tasks, i.e. the partitions of the requests topic; absent or 0: learnt during the
     * warm-up. A stage fed by a one-partition stage waits for that stage's task count instead (it is fixed in the
     * topology), whatever this says.
     */
    public static final String EXPECTED_SOURCES = "asyncwatch.runtime.request-partitions";

    private final Map<String, Long> sources = new TreeMap<>();
    private final int expected;
    private long now = NONE;
    private long firstWall = NONE;

    private Watermarks(int expected) {
        this.expected = expected;
    }

    /** A record timestamp for a tick: {@link #NONE} and {@link #IDLE} are not times, so they go out at {@code wall}. */
    public static long stamp(long tick, long wall) {
        return tick == NONE || tick == IDLE ? wall : tick;
    }

    /** The expected number of upstream tasks from the app configs, or 0 when it was not given. */
    public static int expectedSources(Map<String, Object> appConfigs) {
        Object v = appConfigs.get(EXPECTED_SOURCES);
        if (v == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(v.toString().trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(EXPECTED_SOURCES + " must be a whole number, got '" + v + "'", e);
        }
    }

    /** Takes a tick received at wall-clock time {@code wall}; true when the clock moved. */
    public boolean observe(String source, long time, long wall) {
        Long previous = sources.get(source);
        if (previous != null && previous != IDLE && previous >= time) {
            return false;
        }
        sources.put(source, time);
        if (expected > 0) {
            return sources.size() >= expected && advance();
        }
        if (firstWall == NONE) {
            firstWall = sources.size() > 1 || now != NONE ? wall - WARMUP_MS : wall;
        }
        if (wall - firstWall < WARMUP_MS) {
            return false;
        }
        return advance();
    }

    private boolean advance() {
        // Idle partitions step aside; with nothing but idle ones there is no clock to follow.
        long min = sources.values().stream().mapToLong(Long::longValue).filter(t -> t != IDLE).min().orElse(NONE);
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

    /** @param expected upstream tasks to wait for ({@link #expectedSources}); 0: learn them during the warm-up */
    public static Watermarks fromBytes(byte[] bytes, int expected) {
        Watermarks m = new Watermarks(expected);
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
