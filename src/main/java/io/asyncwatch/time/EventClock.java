package io.asyncwatch.time;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The event-time clock of one input partition, which one skewed sender cannot move. Pure Java.
 *
 * <p>The rule:
 * <ul>
 *   <li><b>Start</b>: the clock starts at the median of the first {@code confirmEvents} events, so a first event
 *       stamped a year off cannot set it.</li>
 *   <li><b>Accept</b>: an event at most {@code maxAheadMs} ahead of the clock is accepted and the clock moves to
 *       the largest accepted time (events behind the clock are accepted too; whether they are late is each
 *       detector's business).</li>
 *   <li><b>Hold</b>: an event further ahead is held, not processed. If held events reach {@code confirmEvents}
 *       and outnumber the events accepted since the first of them, the whole stream has moved (a restart after
 *       downtime, a backlog from another day): the clock jumps to their median and they are released in arrival
 *       order (any still too far ahead of the new clock stay held).</li>
 *   <li><b>Quarantine</b>: if instead {@code confirmEvents} events are accepted (and at least as many as are held)
 *       the rest of the stream stayed where it was: the held events are outliers and are quarantined. Silence
 *       quarantines them too: a stream that goes quiet confirmed nothing.</li>
 *   <li><b>Silence</b>: once no event has arrived for {@code idleMs} of wall-clock time, the clock moves on with
 *       the wall clock (less that allowance for producer lag), so windows of a quiet partition still close.
 *       The movement is relative to the last arrival, so a backlog being caught up (events arriving back to
 *       back) is never idle and is never closed early.</li>
 * </ul>
 * With {@code maxAheadMs} no larger than the windows' grace, an accepted outlier cannot close a window an
 * on-time event still needs. "Wall clock" is the processing wall clock live and the recording's record
 * timestamps in {@code replay}, which is what makes the two agree.
 */
public final class EventClock {

    public static final long NONE = Long.MIN_VALUE;
    private static final int VERSION = 1;

    /**
     * What happened to one offered event ({@code seq}; -1 for a tick) and to held ones. The offered event is held
     * ({@code held}), or among {@code release} (to be processed now, in that order), or else simply accepted.
     */
    public record Step(long seq, boolean held, long[] release, long[] quarantine) {
        static final long[] NO = new long[0];

        public boolean accepted() {
            if (held) {
                return false;
            }
            for (long r : release) {
                if (r == seq) {
                    return false;
                }
            }
            return seq >= 0;
        }
    }

    private final EventTimeSettings settings;
    private long now = NONE;
    private long nextSeq;
    /** Held events in arrival order: {seq, time}. */
    private final List<long[]> held = new ArrayList<>();
    private long acceptedSinceHold;
    // Not persisted: after a restart the allowance starts again from the restart.
    private long lastArrivalWall = NONE;
    private long nowAtLastArrival = NONE;

    public EventClock(EventTimeSettings settings) {
        this.settings = settings;
    }

    public long now() {
        return now;
    }

    public boolean started() {
        return now != NONE;
    }

    public int heldCount() {
        return held.size();
    }

    /** Offers one event; {@code wall} is the processing (or simulated) wall-clock time of its arrival. */
    public Step offer(long time, long wall) {
        long seq = nextSeq++;
        Step step;
        if (now == NONE) {
            held.add(new long[] {seq, time});
            step = held.size() >= settings.confirmEvents() ? start(seq) : new Step(seq, true, Step.NO, Step.NO);
        } else if (time <= now + settings.maxAheadMs()) {
            now = Math.max(now, time);
            step = new Step(seq, false, Step.NO, Step.NO);
            if (!held.isEmpty() && ++acceptedSinceHold >= settings.confirmEvents()
                    && acceptedSinceHold >= held.size()) {
                step = new Step(seq, false, Step.NO, quarantineAll());
            }
        } else {
            held.add(new long[] {seq, time});
            step = new Step(seq, true, Step.NO, Step.NO);
            if (held.size() >= settings.confirmEvents() && held.size() > acceptedSinceHold) {
                step = jump(seq);
            }
        }
        lastArrivalWall = wall;
        nowAtLastArrival = now;
        return step;
    }

    /**
     * Lets wall-clock time act: after {@code idleMs} without arrivals an unfinished start begins with what it has
     * (and the clock follows the wall clock from the next tick on), the clock follows the wall clock, held events
     * it has caught up with are released and the others quarantined.
     */
    public Step tick(long wall) {
        if (lastArrivalWall == NONE) {
            lastArrivalWall = wall;
            nowAtLastArrival = now;
            return new Step(-1, false, Step.NO, Step.NO);
        }
        long idle = wall - lastArrivalWall - settings.idleMs();
        if (idle <= 0 || held.isEmpty() && now == NONE) {
            return new Step(-1, false, Step.NO, Step.NO);
        }
        if (now == NONE) {
            // Released events are processed at the clock they started it with; silence acts on the next tick.
            Step started = start(-1);
            nowAtLastArrival = now;
            return started;
        }
        now = Math.max(now, nowAtLastArrival + idle);
        // Silence moved the clock: held events it has caught up with are released, the others were outliers.
        long[] release = held.isEmpty() ? Step.NO : releaseWithin(-1).release();
        return new Step(-1, false, release, held.isEmpty() ? Step.NO : quarantineAll());
    }

    /**
     * What a partition whose clock has not started tells the stages after a re-key: {@link #NONE} ("I exist, wait
     * for me") while it may still start, or, once it has held nothing and heard nothing for {@code idleMs},
     * {@link Watermarks#IDLE}, so an empty partition does not hold them back. Its own clock stays unstarted: its
     * first events still start it, and its first real tick replaces the idle one.
     */
    public long unstartedTick(long wall) {
        if (now != NONE || !held.isEmpty() || lastArrivalWall == NONE || wall - lastArrivalWall < settings.idleMs()) {
            return NONE;
        }
        return Watermarks.IDLE;
    }

    private Step start(long seq) {
        now = median(held);
        return releaseWithin(seq);
    }

    private Step jump(long seq) {
        now = Math.max(now, median(held));
        return releaseWithin(seq);
    }

    /** Releases held events that are now within reach, in arrival order; the others stay held. */
    private Step releaseWithin(long seq) {
        List<long[]> keep = new ArrayList<>();
        long[] release = new long[held.size()];
        int n = 0;
        for (long[] h : held) {
            if (h[1] <= now + settings.maxAheadMs()) {
                release[n++] = h[0];
                now = Math.max(now, h[1]);
            } else {
                keep.add(h);
            }
        }
        held.clear();
        held.addAll(keep);
        acceptedSinceHold = 0;
        boolean thisHeld = keep.stream().anyMatch(h -> h[0] == seq);
        return new Step(seq, thisHeld, Arrays.copyOf(release, n), Step.NO);
    }

    private long[] quarantineAll() {
        long[] q = new long[held.size()];
        for (int i = 0; i < q.length; i++) {
            q[i] = held.get(i)[0];
        }
        held.clear();
        acceptedSinceHold = 0;
        return q;
    }

    private static long median(List<long[]> events) {
        long[] times = events.stream().mapToLong(h -> h[1]).sorted().toArray();
        return times[(times.length - 1) / 2];
    }

    // --- persistence: the clock is part of the task's state (changelogged), so a restart keeps it ---

    public byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(now).varlong(nextSeq).varlong(acceptedSinceHold)
                .varlong(held.size());
        for (long[] h : held) {
            w.varlong(h[0]).varlong(h[1]);
        }
        return w.bytes();
    }

    public static EventClock fromBytes(byte[] bytes, EventTimeSettings settings) {
        EventClock c = new EventClock(settings);
        if (bytes == null) {
            return c;
        }
        Bin.Reader r = Bin.versioned(bytes, VERSION, "event clock");
        c.now = r.varlong();
        c.nextSeq = r.varlong();
        c.acceptedSinceHold = r.varlong();
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            c.held.add(new long[] {r.varlong(), r.varlong()});
        }
        return c;
    }
}
