package io.asyncwatch.replay;

import java.util.HashMap;
import java.util.Map;

/**
 * The wall clock of a replay, read off the recording's record timestamps: how much time has passed since the
 * recording began. Each topic measures elapsed time from its own first record, so a topic whose producers stamp
 * another clock (heartbeats an hour ahead of requests) cannot make the others look silent. Within a topic, a
 * record more than {@link #MAX_STEP_MS} away from the topic's time counts only when {@link #CONFIRM} consecutive
 * records agree: one record stamped a year ahead cannot make a year pass, a real gap (producers down for a while)
 * passes as it did live. (A lone record up to an hour ahead does move it: see the README's known limits.)
 */
final class RecordWall {

    static final long MAX_STEP_MS = 3_600_000L;
    static final int CONFIRM = 20;

    private static final class Topic {
        long first;
        long last;
        int away;

        Topic(long ts) {
            first = ts;
            last = ts;
        }
    }

    private final Map<String, Topic> topics = new HashMap<>();
    private long start = Long.MIN_VALUE;
    private long elapsed;

    /** Takes one record's timestamp; returns the wall-clock time of its arrival. */
    long offer(String topic, long recordTimestamp) {
        if (start == Long.MIN_VALUE) {
            start = recordTimestamp;
        }
        Topic t = topics.computeIfAbsent(topic, k -> new Topic(recordTimestamp));
        if (Math.abs(recordTimestamp - t.last) <= MAX_STEP_MS) {
            t.last = Math.max(t.last, recordTimestamp);
            t.away = 0;
        } else if (++t.away >= CONFIRM) {
            // The topic's time really moved: forward, the gap has passed; backward, elapsed time stays.
            if (recordTimestamp < t.last) {
                t.first += recordTimestamp - t.last;
            }
            t.last = recordTimestamp;
            t.away = 0;
        }
        elapsed = Math.max(elapsed, t.last - t.first);
        return start + elapsed;
    }
}
