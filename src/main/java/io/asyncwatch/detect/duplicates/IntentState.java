package io.asyncwatch.detect.duplicates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is known about one requestId within the horizon: SUCCESS WRITEs per service and the timed-out attempts.
 * Pure Java; {@link #add} says when a service's write has been applied twice.
 */
final class IntentState {

    private static final int MAX_TIMEOUTS = 4;

    long firstSeen;
    String entity;
    /** service -> event ids of its SUCCESS WRITEs (at most 3 kept; the count goes on). */
    final Map<String, List<String>> writes = new LinkedHashMap<>();
    final Map<String, Long> writeCounts = new LinkedHashMap<>();
    /** "attempt 1 at svc-order timed out (e-17)". */
    final List<String> timeouts = new ArrayList<>();

    IntentState(long firstSeen) {
        this.firstSeen = firstSeen;
    }

    /** Adds one attempt; returns the duplicate it completes (the second SUCCESS WRITE of a service), or null. */
    DuplicateIntent add(WriteAttempt w, long eventTime, String source) {
        if (entity == null) {
            entity = w.entity();
        }
        if (!w.success()) {
            if (timeouts.size() < MAX_TIMEOUTS) {
                timeouts.add("attempt " + w.attempt() + " at " + w.service() + " timed out (" + w.eventId() + ")");
            }
            return null;
        }
        List<String> ids = writes.computeIfAbsent(w.service(), s -> new ArrayList<>());
        if (ids.contains(w.eventId())) {
            return null; // the same event delivered twice (a producer retry) is not a second write
        }
        long n = writeCounts.merge(w.service(), 1L, Long::sum);
        if (ids.size() < 3) {
            ids.add(w.eventId());
        }
        if (n != 2) {
            return null;
        }
        String zombie = timeouts.isEmpty() ? null : timeouts.get(0) + " but its write landed";
        return new DuplicateIntent(w.service(), w.layer(), w.requestId(), entity, List.copyOf(ids), zombie,
                eventTime, source);
    }

    /** The timed-out attempt that makes a duplicate a zombie transaction, if one has been seen. */
    String zombie() {
        return timeouts.isEmpty() ? null : timeouts.get(0) + " but its write landed";
    }
}
