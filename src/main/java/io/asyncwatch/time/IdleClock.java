package io.asyncwatch.time;

/**
 * The clock of a downstream task (a detector after a re-key, the alert stage): the largest event time it has
 * been fed, moved on by wall-clock silence. Its input already passed the per-partition {@link EventClock}, so the
 * largest time is trustworthy; silence is what must still close windows and episodes.
 *
 * <p>After {@code idleMs} of wall-clock time without input the clock follows the wall clock from where it was at
 * the last arrival, less the allowance. The movement is relative to the last arrival: a backlog being caught up
 * (input arriving back to back) is never idle, whatever the distance between event time and wall time.
 */
public final class IdleClock {

    public static final long NONE = Long.MIN_VALUE;

    private final long idleMs;
    private long time = NONE;
    private long lastArrivalWall = NONE;
    private long timeAtArrival = NONE;

    public IdleClock(long idleMs) {
        this.idleMs = idleMs;
    }

    /** Restores the persisted time (after a restart); the idle allowance starts again from {@code wall}. */
    public void restore(long persisted, long wall) {
        time = Math.max(time, persisted);
        lastArrivalWall = wall;
        timeAtArrival = time;
    }

    public void observe(long eventTime, long wall) {
        time = Math.max(time, eventTime);
        lastArrivalWall = wall;
        timeAtArrival = time;
    }

    /** The clock at wall-clock time {@code wall}; NONE before the first input. */
    public long now(long wall) {
        if (time == NONE) {
            return NONE;
        }
        if (lastArrivalWall == NONE) {
            lastArrivalWall = wall;
            timeAtArrival = time;
        }
        long idle = wall - lastArrivalWall - idleMs;
        if (idle > 0) {
            time = Math.max(time, timeAtArrival + idle);
        }
        return time;
    }

    public long time() {
        return time;
    }
}
