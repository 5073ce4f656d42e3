package io.asyncwatch.time;

import io.asyncwatch.state.TaskStore;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A stage's {@link Watermarks} kept in its task store: every upstream tick is persisted (the sources learnt must
 * survive a restart, or a restarted task's warm-up could miss one still restoring), and the stage's own ticks for the
 * next stage are handed out once per move.
 */
public final class UpstreamClock {

    private static final String META = "watermarks";

    private final TaskStore store;
    private final Watermarks marks;
    private long lastTick = Watermarks.NONE;

    private UpstreamClock(TaskStore store, Watermarks marks) {
        this.store = store;
        this.marks = marks;
    }

    /** @param appConfigs the processor context's: they say how many upstream tasks to wait for */
    public static UpstreamClock restore(TaskStore store, Map<String, Object> appConfigs) {
        return restore(store, Watermarks.expectedSources(appConfigs));
    }

    /** @param expected upstream tasks to wait for (0: learn them during the warm-up) */
    public static UpstreamClock restore(TaskStore store, int expected) {
        return new UpstreamClock(store, Watermarks.fromBytes(store.meta(META), expected));
    }

    /** Takes an upstream tick received at wall-clock time {@code wall}; true when the clock moved. */
    public boolean observe(String source, long time, long wall) {
        boolean moved = marks.observe(source, time, wall);
        store.putMeta(META, marks.toBytes());
        return moved;
    }

    public long now() {
        return marks.now();
    }

    /**
     * The tick to send downstream now: the clock when it moved since the last one; {@link Watermarks#NONE} while it
     * has not started and {@code announce} (so the next stage learns this task exists); else nothing.
     */
    public OptionalLong nextTick(boolean announce) {
        long now = marks.now();
        if (now == Watermarks.NONE) {
            return announce ? OptionalLong.of(Watermarks.NONE) : OptionalLong.empty();
        }
        if (now > lastTick) {
            lastTick = now;
            return OptionalLong.of(now);
        }
        return OptionalLong.empty();
    }
}
