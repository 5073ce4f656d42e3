package io.asyncwatch.detect.cascade;

import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * What one trace task judged for one (caller, destination) in one window since its last clock tick, on its way to
 * the caller's task; or (service null) the trace task's clock tick. Pre-aggregated: a death spiral makes nearly
 * every caller span of every trace a hit, and those would otherwise cross the broker one record each.
 *
 * @param time the window's start (for a tick: the task's clock)
 */
record CascadePartial(String service, String destination, long time, CascadeCounts counts, String source) {

    private static final int VERSION = 2;

    static final Serde<CascadePartial> SERDE = Bin.serde(CascadePartial::toBytes, CascadePartial::fromBytes);

    static CascadePartial tick(String source, long time) {
        return new CascadePartial(null, null, time, null, source);
    }

    boolean isTick() {
        return service == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(service).str(destination).varlong(time).str(source);
        if (counts != null) {
            counts.write(w);
        }
        return w.bytes();
    }

    static CascadePartial fromBytes(byte[] b) {
        if (b.length > 0 && b[0] == 1) {
            // A single hit, as written before the hits were pre-aggregated (still on the topic after an upgrade).
            CascadeHit h = CascadeHit.fromBytes(b);
            return h.isTick() ? tick(h.source(), h.time())
                    : new CascadePartial(h.service(), h.destination(), h.time(), CascadeCounts.of(h), h.source());
        }
        Bin.Reader r = Bin.versioned(b, VERSION, "cascade partial");
        String service = r.str();
        String destination = r.str();
        long time = r.varlong();
        String source = r.str();
        return new CascadePartial(service, destination, time, service == null ? null : CascadeCounts.read(r), source);
    }
}
