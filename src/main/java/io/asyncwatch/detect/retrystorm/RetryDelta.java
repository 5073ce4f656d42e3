package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.serde.Bin;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * What one input partition counted for one service in one window since its last flush: the pre-aggregate that
 * crosses the broker instead of the raw events (a handful of records per service per second, not one per event).
 *
 * @param late         events of this service that arrived after their window had closed on the partition clock
 *                     (dead-lettered there), reported with the window they arrived in
 * @param maxEventTime latest event time counted, the record timestamp of the delta
 */
public record RetryDelta(String service, String layer, long windowStart, long attempts, long retries,
                         long retriesSucceeded, long retriesTimedOut, long clockSuspect, long late, List<String> sampleRetryIds, long maxEventTime) {

    private static final int VERSION = 2;

    public static final Serde<RetryDelta> SERDE = Bin.serde(RetryDelta::toBytes, RetryDelta::fromBytes);

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(service).str(layer).varlong(windowStart).varlong(attempts)
                .varlong(retries).varlong(retriesSucceeded).varlong(retriesTimedOut).varlong(clockSuspect).varlong(late).strings(sampleRetryIds).varlong(maxEventTime)
                .bytes();
    }

    static RetryDelta fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "retry delta");
        return new RetryDelta(r.str(), r.str(), r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.varlong(),
                r.varlong(), r.varlong(), r.strings(), r.varlong());
    }
}
