package io.asyncwatch.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * One attempt of a call (topic {@code asyncwatch.requests}). Fields are boxed so that a missing required field
 * is visible as {@code null} to the validator instead of silently becoming 0.
 */
public record RequestEvent(
        String eventId,
        Long timestamp,
        String service,
        String layer,
        String node,
        String destination,
        String operation,
        Integer attempt,
        String requestId,
        Status status,
        Double latencyMs,
        Long timeoutMs,
        String traceId,
        String spanId,
        String parentSpanId,
        List<String> causedBy,
        Kind kind,
        String entity,
        Long lamport,
        Map<String, Long> vectorClock,
        CircuitBreaker circuitBreaker) {

    /** Derived, not a contract field: ignored so that neither JSON nor Avro output carries a "retry" field. */
    @JsonIgnore
    public boolean isRetry() {
        return attempt != null && attempt >= 2;
    }

    /** The host that made the attempt: its {@code node}, else its service (derived, like {@link #isRetry}). */
    @JsonIgnore
    public String nodeOrService() {
        return node != null && !node.isBlank() ? node : service;
    }
}
