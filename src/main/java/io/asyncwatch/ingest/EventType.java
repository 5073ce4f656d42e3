package io.asyncwatch.ingest;

import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Codec;
import java.util.function.Function;

/**
 * What the ingest stage needs to know about one kind of event: how to decode it, which contract rules it must
 * satisfy, what it is keyed by downstream and what its event time is (a payload field, derived from payload fields,
 * or the record's arrival: {@link #eventTime}).
 *
 * @param validator returns the first broken rule as a dead-letter reason, or {@code null}
 * @param onArrival the Kafka record's timestamp is the event time (the payload's stays, for what compares both)
 */
public record EventType<T>(
        String logicalName,
        Codec<T> codec,
        Function<T, String> validator,
        Function<T, String> key,
        Function<T, Long> timestamp,
        boolean onArrival) {

    private static final int MAX_ATTEMPT = 10_000;
    private static final long MAX_TIMEOUT_MS = 86_400_000L;
    private static final double MAX_CLOCK_OFFSET_MS = 86_400_000d;
    private static final double MAX_DRIFT_PPM = 1_000_000d;

    public static EventType<RequestEvent> requests(Codec<RequestEvent> codec) {
        return new EventType<>("requests", codec, EventType::validate, RequestEvent::service, RequestEvent::timestamp,
                false);
    }

    /**
     * Heartbeats are judged on arrival, as a cluster's failure detector lives them: silence, loss, false deaths and
     * leadership claims must not move with the clock of the node they are about (a node minutes ahead or behind, or
     * whose clock steps, still beats every interval). The sender's timestamp stays in the event: the delivery delay
     * and the clock-skew estimate compare the two.
     */
    public static EventType<HeartbeatEvent> heartbeats(Codec<HeartbeatEvent> codec) {
        return new EventType<>("heartbeats", codec, EventType::validate, HeartbeatEvent::node,
                HeartbeatEvent::timestamp, true);
    }

    /**
     * A clock reading's event time is the reference time it was measured at: its sender's timestamp less the
     * offset it reports. The readings exist because the sender's clock may be off, by minutes: stamped by that
     * clock, a skewed node's readings would be judged in another window than its cluster's, or held back as from
     * the future, and the node would be compared with nobody.
     */
    public static EventType<ClockEvent> clocks(Codec<ClockEvent> codec) {
        return new EventType<>("clocks", codec, EventType::validate, ClockEvent::node, EventType::referenceTime,
                false);
    }

    /** The event time of {@code event} in a record stamped {@code recordTimestamp} (negative: none). */
    public long eventTime(T event, long recordTimestamp, long maxSkewMs) {
        if (onArrival && recordTimestamp >= 0) {
            return recordTimestamp;
        }
        return EventTime.effective(timestamp.apply(event), recordTimestamp, maxSkewMs);
    }

    static Long referenceTime(ClockEvent e) {
        return e.timestamp() == null || e.offsetMs() == null || !Double.isFinite(e.offsetMs()) ? e.timestamp()
                : e.timestamp() - Math.round(e.offsetMs());
    }

    static String validate(RequestEvent e) {
        return Checks.firstProblem(
                Checks.text("eventId", e.eventId()),
                Checks.timestamp("timestamp", e.timestamp()),
                Checks.text("service", e.service()),
                Checks.text("layer", e.layer()),
                Checks.atLeast("attempt", e.attempt(), 1, true),
                Checks.atMost("attempt", e.attempt(), MAX_ATTEMPT),
                Checks.required("status", e.status()),
                Checks.duration("latencyMs", e.latencyMs(), true),
                Checks.atLeast("timeoutMs", e.timeoutMs(), 1, false),
                Checks.atMost("timeoutMs", e.timeoutMs(), MAX_TIMEOUT_MS),
                Checks.maxLength("node", e.node()),
                Checks.maxLength("destination", e.destination()),
                Checks.maxLength("operation", e.operation()),
                Checks.maxLength("requestId", e.requestId()),
                Checks.maxLength("entity", e.entity()),
                Checks.maxLength("traceId", e.traceId()),
                Checks.maxLength("spanId", e.spanId()),
                Checks.maxLength("parentSpanId", e.parentSpanId()),
                Checks.noNulls("causedBy", e.causedBy()),
                Checks.atLeast("lamport", e.lamport(), 0, false),
                Checks.vectorClock("vectorClock", e.vectorClock()));
    }

    static String validate(HeartbeatEvent e) {
        return Checks.firstProblem(
                Checks.text("node", e.node()),
                Checks.text("cluster", e.cluster()),
                Checks.timestamp("timestamp", e.timestamp()),
                Checks.atLeast("sequence", e.sequence(), 0, true),
                Checks.required("role", e.role()),
                Checks.atLeast("term", e.term(), 0, true),
                Checks.atLeast("intervalMs", e.intervalMs(), 1, true),
                Checks.atMost("intervalMs", e.intervalMs(), MAX_TIMEOUT_MS));
    }

    static String validate(ClockEvent e) {
        return Checks.firstProblem(
                Checks.text("node", e.node()),
                Checks.text("cluster", e.cluster()),
                Checks.timestamp("timestamp", e.timestamp()),
                Checks.finite("offsetMs", e.offsetMs(), true, MAX_CLOCK_OFFSET_MS),
                Checks.finite("driftPpm", e.driftPpm(), false, MAX_DRIFT_PPM),
                Checks.atLeast("lamport", e.lamport(), 0, false),
                Checks.vectorClock("vectorClock", e.vectorClock()));
    }
}
