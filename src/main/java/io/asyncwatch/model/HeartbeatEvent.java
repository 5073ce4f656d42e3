package io.asyncwatch.model;

/** A node's heartbeat (topic {@code asyncwatch.heartbeats}). */
public record HeartbeatEvent(
        String eventId,
        String node,
        String cluster,
        Long timestamp,
        Long sequence,
        Role role,
        Long term,
        Long intervalMs) {
}
