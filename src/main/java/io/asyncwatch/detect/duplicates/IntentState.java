package io.asyncwatch.detect.duplicates;

import io.asyncwatch.serde.Bin;
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
    /** The first timed-out attempt ("attempt 1 at svc-order timed out (e-17)"), or null. */
    private String firstTimeout;

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

    /**
     * Adds one attempt; returns the duplicate it completes (the second SUCCESS WRITE of a service), or null.
     *
     * @param service {@code w}'s service, the copy to keep (one shared by every intent)
     */
    DuplicateIntent add(WriteAttempt w, String service, long eventTime, String source) {
        if (entity == null) {
            entity = w.entity();
        }
        if (!w.success()) {
            if (firstTimeout == null) {
                firstTimeout = "attempt " + w.attempt() + " at " + w.service() + " timed out (" + w.eventId() + ")";
            }
            return null;
        }
        Writes ws = null;
        for (Writes x : writes) {
            if (x.service.equals(service)) {
                ws = x;
                break;
            }
        }
        if (ws == null) {
            ws = new Writes(service);
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
        return new DuplicateIntent(service, w.layer(), w.requestId(), entity, List.copyOf(ws.kept()), zombie(),
                eventTime, source);
    }

    /** The timed-out attempt that makes a duplicate a zombie transaction, if one has been seen. */
    String zombie() {
        return firstTimeout == null ? null : firstTimeout + " but its write landed";
    }

    /** An intent as a store record of the version before the chunks ({@code IntentBook} imports them once). */
    static IntentState legacy(byte[] bytes) {
        Bin.Reader r = Bin.versioned(bytes, 1, "intent state");
        IntentState s = new IntentState(r.varlong());
        s.entity = r.str();
        for (long n = r.varlong(); n > 0; n--) {
            Writes ws = new Writes(r.str());
            ws.count = r.varlong();
            List<String> ids = r.strings();
            for (int i = 0; i < Math.min(ids.size(), ws.ids.length); i++) {
                ws.ids[i] = ids.get(i);
            }
            s.writes = Arrays.copyOf(s.writes, s.writes.length + 1);
            s.writes[s.writes.length - 1] = ws;
        }
        List<String> timeouts = r.strings();
        s.firstTimeout = timeouts.isEmpty() ? null : timeouts.get(0);
        return s;
    }
}
