package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.serde.Bin;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * What one input partition counted for one service in one window since its last flush: the pre-aggregate that
 * crosses the broker instead of the raw events (a handful of records per service per second, not one per event);
 * or ({@code service} null) the input partition's clock tick, sent after the counts it covers.
 *
 * @param late         events of this service that arrived after their window had closed on the partition clock
 *                     (dead-lettered there), reported with the window they arrived in
 * @param maxEventTime latest event time counted, the record timestamp of the delta
 * @param source       for a tick: the input partition it is the clock of
 * @param tick         for a tick: that partition's clock
 */
public record RetryDelta(String service, String layer, long windowStart, long attempts, long retries,
                         long retriesSucceeded, long retriesTimedOut, long clockSuspect, long late,
                         List<String> sampleRetryIds, long maxEventTime, String source, long tick) {

    private static final int VERSION = 3;

    public static final Serde<RetryDelta> SERDE = Bin.serde(RetryDelta::toBytes, RetryDelta::fromBytes);

    /** The counts of one service and window. */
    public RetryDelta(String service, String layer, long windowStart, long attempts, long retries,
                      long retriesSucceeded, long retriesTimedOut, long clockSuspect, long late,
                      List<String> sampleRetryIds, long maxEventTime) {
        this(service, layer, windowStart, attempts, retries, retriesSucceeded, retriesTimedOut, clockSuspect, late,
                sampleRetryIds, maxEventTime, null, 0);
    }

    static RetryDelta tick(String source, long time) {
        return new RetryDelta(null, null, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, source, time);
    }

    public boolean isTick() {
        return service == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(service);
        if (service == null) {
            return w.str(source).varlong(tick).bytes();
        }
        return w.str(layer).varlong(windowStart).varlong(attempts).varlong(retries).varlong(retriesSucceeded)
                .varlong(retriesTimedOut).varlong(clockSuspect).varlong(late).strings(sampleRetryIds)
                .varlong(maxEventTime).bytes();
    }

    static RetryDelta fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "retry delta");
        String service = r.str();
        if (service == null) {
            return tick(r.str(), r.varlong());
        }
        return new RetryDelta(service, r.str(), r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.varlong(),
                r.varlong(), r.varlong(), r.strings(), r.varlong());
    }
}
