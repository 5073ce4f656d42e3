package io.asyncwatch.detect.cascade;

import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * The projection of a traced request attempt that crosses the broker to its trace's task (what cascades need and
 * nothing else), or (traceId null) an input partition's clock tick.
 *
 * @param timeoutMs 0 when the attempt carried none
 */
public record Span(String traceId, String spanId, String parentSpanId, String eventId, long timestamp,
                   String service, String layer, String destination, long timeoutMs, double latencyMs,
                   String status, String source, long tick) {

    private static final int VERSION = 1;

    public static final Serde<Span> SERDE = Bin.serde(Span::toBytes, Span::fromBytes);

    static Span of(RequestEvent e) {
        return new Span(e.traceId(), e.spanId(), e.parentSpanId(), e.eventId(), e.timestamp(), e.service(),
                e.layer(), e.destination(), e.timeoutMs() == null ? 0 : e.timeoutMs(), e.latencyMs(),
                e.status().name(), null, 0);
    }

    /** This span at {@code time}: the record's event time, which ingest corrected for a sender's suspect clock. */
    Span at(long time) {
        return new Span(traceId, spanId, parentSpanId, eventId, time, service, layer, destination, timeoutMs, latencyMs,
                status, source, tick);
    }

    static Span tick(String source, long time) {
        return new Span(null, null, null, null, 0, null, null, null, 0, 0, null, source, time);
    }

    public boolean isTick() {
        return traceId == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(traceId).str(source).varlong(tick);
        if (traceId != null) {
            write(w);
        }
        return w.bytes();
    }

    void write(Bin.Writer w) {
        w.str(spanId).str(parentSpanId).str(eventId).varlong(timestamp).str(service).str(layer).str(destination)
                .varlong(timeoutMs).f64(latencyMs).str(status);
    }

    static Span read(String traceId, Bin.Reader r) {
        return new Span(traceId, r.str(), r.str(), r.str(), r.varlong(), r.str(), r.str(), r.str(), r.varlong(),
                r.f64(), r.str(), null, 0);
    }

    static Span fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "span");
        String traceId = r.str();
        String source = r.str();
        long tick = r.varlong();
        return traceId == null ? tick(source, tick) : read(traceId, r);
    }
}
