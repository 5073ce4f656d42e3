package io.asyncwatch.model;

import java.util.Map;

/** A clock reading of one node (topic {@code asyncwatch.clocks}). */
public record ClockEvent(
        String eventId,
        String node,
        String cluster,
        Long timestamp,
        Double offsetMs,
        Double driftPpm,
        Boolean syncOk,
        Long lamport,
        Map<String, Long> vectorClock) {
}
