package io.asyncwatch.detect.cascade;

import io.asyncwatch.detect.traces.Span;
import io.asyncwatch.serde.Bin;

/**
 * A caller span that cascades (the worst of a window is part of its evidence); with service null, a trace task's
 * clock tick as written before the hits were pre-aggregated ({@link CascadePartial} reads those).
 *
 * @param time the caller span's event time: the window it counts in
 */
public record CascadeHit(String service, String layer, String destination, String traceId, String eventId,
                         String kind, long timeoutMs, long neededMs, double waitedMs, String chain, long time,
                         String source) {

    private static final int VERSION = 1;

    static CascadeHit of(TraceJudge.Hit h, String source) {
        Span p = h.caller();
        return new CascadeHit(p.service(), p.layer(), p.destination() == null ? "" : p.destination(), p.traceId(),
                p.eventId(), h.kind().name(), p.timeoutMs(), h.neededMs(), h.waitedMs(), h.chain(), p.timestamp(),
                source);
    }

    boolean isTick() {
        return service == null;
    }

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(service).str(layer).str(destination).str(traceId).str(eventId).str(kind)
                .varlong(timeoutMs).varlong(neededMs).f64(waitedMs).str(chain).varlong(time).str(source).bytes();
    }

    static CascadeHit fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "cascade hit");
        return new CascadeHit(r.str(), r.str(), r.str(), r.str(), r.str(), r.str(), r.varlong(), r.varlong(),
                r.f64(), r.str(), r.varlong(), r.str());
    }
}
