package io.asyncwatch.ingest;

/**
 * Event time is the sender's payload timestamp, unless it is further than {@code maxSkewMs} from the Kafka record
 * timestamp: then the sender's clock is the suspect (the very skew asyncwatch watches for) and the record
 * timestamp is used, so one bad clock cannot drag windows into the past or future.
 */
public final class EventTime {

    private EventTime() {
    }

    public static long effective(long payloadTimestamp, long recordTimestamp, long maxSkewMs) {
        if (recordTimestamp < 0) {
            return payloadTimestamp;
        }
        return Math.abs(payloadTimestamp - recordTimestamp) > maxSkewMs ? recordTimestamp : payloadTimestamp;
    }

    /** Downstream of ingest the record timestamp is the effective event time: a mismatch means it was replaced. */
    public static boolean wasClockSuspect(long payloadTimestamp, long recordTimestamp) {
        return payloadTimestamp != recordTimestamp;
    }
}
