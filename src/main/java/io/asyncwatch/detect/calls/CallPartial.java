package io.asyncwatch.detect.calls;

import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * What crosses the broker from an input partition to the service's task: the counts of one (service, destination,
 * window) since the last flush, or (service null) the input partition's clock tick, sent after the counts it
 * covers.
 *
 * @param destination the callee, "" when the events named none
 */
public record CallPartial(String service, String layer, String destination, long windowStart, CallStats stats,
                          String source, long tick) {

    private static final int VERSION = 1;

    public static final Serde<CallPartial> SERDE = Bin.serde(CallPartial::toBytes, CallPartial::fromBytes);

    static CallPartial tick(String source, long time) {
        return new CallPartial(null, null, null, 0, null, source, time);
    }

    public boolean isTick() {
        return service == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(service).str(source).varlong(tick);
        if (service != null) {
            w.str(layer).str(destination).varlong(windowStart);
            stats.write(w);
        }
        return w.bytes();
    }

    static CallPartial fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "call partial");
        String service = r.str();
        String source = r.str();
        long tick = r.varlong();
        if (service == null) {
            return new CallPartial(null, null, null, 0, null, source, tick);
        }
        String layer = r.str();
        String destination = r.str();
        long windowStart = r.varlong();
        return new CallPartial(service, layer, destination, windowStart, CallStats.read(r), source, tick);
    }
}
