package io.asyncwatch.detect.duplicates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What is known about one requestId within the horizon: SUCCESS WRITEs per service and the first timed-out attempt.
 * Pure Java; {@link #add} says when a service's write has been applied twice. Kept compact (no maps): a task holds
 * up to {@code max-request-ids} of these in memory.
 */
final class IntentState {

    private static final Writes[] NONE = new Writes[0];

    long firstSeen;
    String entity;
    /** Per service with SUCCESS WRITEs, in the order first written. */
    private Writes[] writes = NONE;
    /** The first timed-out attempt ("attempt 1 at svc-order timed out (e-17)"), or service null. */
    private String timeoutService;
    private String timeoutEventId;
    private int timeoutAttempt;

    /** One service's SUCCESS WRITEs: how many, and the event ids of the first 3. */
    private static final class Writes {
        final String service;
        long count;
        final String[] ids = new String[3];

        Writes(String service) {
            this.service = service;
        }

        boolean has(String eventId) {
            for (int i = 0; i < Math.min(count, ids.length); i++) {
                if (ids[i].equals(eventId)) {
                    return true;
                }
            }
            return false;
        }

        List<String> kept() {
            List<String> out = new ArrayList<>(3);
            for (int i = 0; i < Math.min(count, ids.length); i++) {
                out.add(ids[i]);
            }
            return out;
        }
    }

    IntentState(long firstSeen) {
        this.firstSeen = firstSeen;
    }

    /** Adds one attempt; returns the duplicate it completes (the second SUCCESS WRITE of a service), or null. */
    DuplicateIntent add(WriteAttempt w, long eventTime, String source) {
        if (entity == null) {
            entity = w.entity();
        }
        if (!w.success()) {
            if (timeoutService == null) {
                timeoutService = w.service();
                timeoutEventId = w.eventId();
                timeoutAttempt = w.attempt();
            }
            return null;
        }
        Writes ws = null;
        for (Writes x : writes) {
            if (x.service.equals(w.service())) {
                ws = x;
                break;
            }
        }
        if (ws == null) {
            ws = new Writes(w.service());
            writes = Arrays.copyOf(writes, writes.length + 1);
            writes[writes.length - 1] = ws;
        }
        if (ws.has(w.eventId())) {
            return null; // the same event delivered twice (a producer retry) is not a second write
        }
        if (ws.count < ws.ids.length) {
            ws.ids[(int) ws.count] = w.eventId();
        }
        ws.count++;
        if (ws.count != 2) {
            return null;
        }
        return new DuplicateIntent(w.service(), w.layer(), w.requestId(), entity, List.copyOf(ws.kept()), zombie(),
                eventTime, source);
    }

    /** The timed-out attempt that makes a duplicate a zombie transaction, if one has been seen. */
    String zombie() {
        return timeoutService == null ? null : "attempt " + timeoutAttempt + " at " + timeoutService + " timed out ("
                + timeoutEventId + ") but its write landed";
    }
}
