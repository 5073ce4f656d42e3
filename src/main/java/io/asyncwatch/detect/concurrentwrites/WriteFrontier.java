package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.detect.causality.LogicalClocks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The writes of one entity that can still conflict with a write yet to arrive, and the judge of two writes. No Kafka
 * types.
 *
 * <p>Two writes conflict when they come from different nodes, belong to different intents (a request id written at
 * the service and again at its database, or retried, is one intent), and
 * <ul>
 *   <li>both carry vector clocks and neither happened before the other ({@link Basis#VECTOR}); writes ordered by their
 *   clocks never conflict, whatever their wall timestamps say; or</li>
 *   <li>at least one has no vector clock and their sender timestamps are less than a second apart
 *   ({@link Basis#SAME_SECOND}, the seeds' query: a possible conflict, since nothing says whether one saw the
 *   other).</li>
 * </ul>
 * Only writes within reach of each other in event time are compared: the horizon for two vector clocks, a second
 * otherwise.
 *
 * <p>A write leaves the frontier (documented in the README, tested in {@code WriteFrontierTest}):
 * <ol>
 *   <li>once it is out of reach of any write that is not late: its time + reach + grace is behind the stage's clock
 *   (before each write is judged, and when expiry visits the entity).
 *   Until then it stays even when a later write saw it: a write that arrives late but within the grace may be
 *   concurrent with it, and writes arriving in any order within the grace must give the same conflicts;</li>
 *   <li>when the frontier is full ({@code maxWrites}): the oldest write that a kept write happened after first (a
 *   write concurrent with it is likely concurrent with that one too), else the oldest write, counted.</li>
 * </ol>
 */
public final class WriteFrontier {

    /** Sender timestamps closer than this are "the same second" for writes without vector clocks. */
    public static final long SAME_SECOND_MS = 1_000;

    public enum Basis {
        /** Both writes carry vector clocks and neither saw the other: a conflict. */
        VECTOR,
        /** No vector clock on at least one, different nodes within one second: a possible conflict. */
        SAME_SECOND
    }

    /**
     * @param timestamp the sender's timestamp (compared for {@link Basis#SAME_SECOND})
     * @param time      the effective event time (reach and eviction)
     */
    public record Write(String eventId, String node, String requestId, long timestamp, long time,
                        Map<String, Long> vectorClock) {
        public boolean hasVector() {
            return LogicalClocks.present(vectorClock);
        }
    }

    /** {@code earlier} was in the frontier when {@code later} arrived (arrival order, not causal order). */
    public record Conflict(Write earlier, Write later, Basis basis) {
    }

    /** What one {@link #add} did. */
    public record Added(List<Conflict> conflicts, boolean duplicate, int evictedForRoom) {
    }

    private final List<Write> writes;

    public WriteFrontier() {
        this.writes = new ArrayList<>(2); // most entities are written once or twice within reach
    }

    public WriteFrontier(List<Write> writes) {
        this.writes = new ArrayList<>(writes);
    }

    /** The writes kept, in arrival order. */
    public List<Write> writes() {
        return Collections.unmodifiableList(writes);
    }

    public boolean isEmpty() {
        return writes.isEmpty();
    }

    /** How {@code a} and {@code b} conflict, or null when they do not. */
    public static Basis judge(Write a, Write b, long horizonMs, boolean sameSecond) {
        if (Objects.equals(a.node(), b.node())) {
            return null; // one node's writes are sequential
        }
        if (a.requestId() != null && a.requestId().equals(b.requestId())) {
            return null; // one intent, seen at several layers or retried
        }
        if (Math.abs(a.time() - b.time()) > reach(a, b, horizonMs)) {
            return null;
        }
        if (a.hasVector() && b.hasVector()) {
            return LogicalClocks.compare(a.vectorClock(), b.vectorClock()) == LogicalClocks.Order.CONCURRENT
                    ? Basis.VECTOR : null;
        }
        return sameSecond && Math.abs(a.timestamp() - b.timestamp()) < SAME_SECOND_MS ? Basis.SAME_SECOND : null;
    }

    /** How far apart in event time two writes are still compared. */
    static long reach(Write a, Write b, long horizonMs) {
        return a.hasVector() && b.hasVector() ? horizonMs : SAME_SECOND_MS;
    }

    /** The furthest any write can be compared with {@code w}. */
    static long reach(Write w, long horizonMs) {
        return w.hasVector() ? Math.max(horizonMs, SAME_SECOND_MS) : SAME_SECOND_MS;
    }

    /**
     * Judges {@code w} against every write kept and keeps it. A write whose event id is already kept (redelivered) is
     * neither judged nor kept again.
     *
     * @param now the stage's clock ({@code Long.MIN_VALUE} before it starts): what the grace has passed
     */
    public Added add(Write w, long now, long horizonMs, long graceMs, boolean sameSecond, int maxWrites) {
        // Out-of-reach writes go first, so what is judged does not depend on when expiry last ran.
        trim(now, horizonMs, graceMs);
        if (w.eventId() != null) {
            for (Write k : writes) {
                if (w.eventId().equals(k.eventId())) {
                    return new Added(List.of(), true, 0);
                }
            }
        }
        List<Conflict> conflicts = new ArrayList<>();
        for (Write k : writes) {
            Basis b = judge(k, w, horizonMs, sameSecond);
            if (b != null) {
                conflicts.add(new Conflict(k, w, b));
            }
        }
        writes.add(w);
        int evicted = 0;
        while (writes.size() > Math.max(1, maxWrites)) {
            writes.remove(victim());
            evicted++;
        }
        return new Added(conflicts, false, evicted);
    }

    /** Keeps {@code w} without judging it (a frontier rebuilt after a restart); a kept event id is skipped. */
    public void restore(Write w, int maxWrites) {
        for (Write k : writes) {
            if (w.eventId() != null && w.eventId().equals(k.eventId())) {
                return;
            }
        }
        writes.add(w);
        while (writes.size() > Math.max(1, maxWrites)) {
            writes.remove(victim());
        }
    }

    /**
     * Whether no write that is not late can reach {@code k} any more: a write is late once its time + grace is behind
     * the clock, so one at exactly {@code now - grace} still counts, and may be {@code reach} after {@code k}.
     */
    static boolean gone(Write k, long now, long horizonMs, long graceMs) {
        return now != Long.MIN_VALUE && k.time() + reach(k, horizonMs) + graceMs < now;
    }

    /** Drops what can no longer conflict with a write that is not late (rule 1 above). */
    public void trim(long now, long horizonMs, long graceMs) {
        if (now == Long.MIN_VALUE) {
            return;
        }
        writes.removeIf(k -> gone(k, now, horizonMs, graceMs));
    }

    /** Whether a kept write happened after {@code k}. */
    private boolean superseded(Write k) {
        if (!k.hasVector()) {
            return false;
        }
        for (Write other : writes) {
            if (other != k && other.hasVector()
                    && LogicalClocks.compare(k.vectorClock(), other.vectorClock()) == LogicalClocks.Order.BEFORE) {
                return true;
            }
        }
        return false;
    }

    /** The write to drop when full: the oldest superseded one, else the oldest (ties: the first kept). */
    private int victim() {
        int oldestSuperseded = -1;
        int oldest = 0;
        for (int i = 0; i < writes.size(); i++) {
            Write k = writes.get(i);
            if (k.time() < writes.get(oldest).time()) {
                oldest = i;
            }
            if ((oldestSuperseded < 0 || k.time() < writes.get(oldestSuperseded).time()) && superseded(k)) {
                oldestSuperseded = i;
            }
        }
        return oldestSuperseded >= 0 ? oldestSuperseded : oldest;
    }
}
