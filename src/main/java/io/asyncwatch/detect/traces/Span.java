package io.asyncwatch.detect.traces;

import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * The projection of a traced request attempt that crosses the broker to its trace's task (what the trace stages
 * need and nothing else), or (traceId null) an input partition's clock tick.
 *
 * @param timestamp   the record's event time once received ({@link #at}), which ingest corrected for a sender's
 *                    suspect clock; the sender's own stamp is {@code sentAt}
 * @param timeoutMs   0 when the attempt carried none
 * @param node        the attempt's node, else its service
 * @param lamport     -1 when absent
 * @param vectorClock empty when absent
 */
public record Span(String traceId, String spanId, String parentSpanId, String eventId, long timestamp,
                   String service, String layer, String destination, long timeoutMs, double latencyMs,
                   String status, String source, long tick, String node, long sentAt, long lamport,
                   Map<String, Long> vectorClock) {

    private static final int VERSION = 2;

    public static final Serde<Span> SERDE = Bin.serde(Span::toBytes, Span::fromBytes);

    /** A span without logical clocks, stamped by its sender at {@code timestamp}. */
    public Span(String traceId, String spanId, String parentSpanId, String eventId, long timestamp, String service,
                String layer, String destination, long timeoutMs, double latencyMs, String status, String source,
                long tick) {
        this(traceId, spanId, parentSpanId, eventId, timestamp, service, layer, destination, timeoutMs, latencyMs,
                status, source, tick, service, timestamp, -1, Map.of());
    }

    /** A traced request at {@code time}, its record's event time; the sender's own stamp is {@code sentAt}. */
    public static Span of(RequestEvent e, long time) {
        return new Span(e.traceId(), e.spanId(), e.parentSpanId(), e.eventId(), time, e.service(),
                e.layer(), e.destination(), e.timeoutMs() == null ? 0 : e.timeoutMs(), e.latencyMs(),
                e.status().name(), null, 0, e.nodeOrService(),
                e.timestamp(), e.lamport() == null ? -1 : e.lamport(),
                e.vectorClock() == null ? Map.of() : e.vectorClock());
    }

    /** This span at {@code time}: the record's event time (this one when it is already there: no copy per stage). */
    public Span at(long time) {
        if (time == timestamp) {
            return this;
        }
        return new Span(traceId, spanId, parentSpanId, eventId, time, service, layer, destination, timeoutMs, latencyMs,
                status, source, tick, node, sentAt, lamport, vectorClock);
    }

    public static Span tick(String source, long time) {
        return new Span(null, null, null, null, 0, null, null, null, 0, 0, null, source, time);
    }

    public boolean isTick() {
        return traceId == null;
    }

    /** Whether a request is traced: it has a trace and a span id. */
    public static boolean traced(RequestEvent e) {
        return e.traceId() != null && e.spanId() != null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(traceId).str(source).varlong(tick);
        if (traceId != null) {
            write(w);
        }
        return w.bytes();
    }

    /** About what {@link #write} takes for a span with ids, names and a short vector clock. */
    private static final int TYPICAL_BYTES = 160;

    /** A first buffer size for a trace of {@code spans} spans (it grows if they are bigger). */
    public static int bufferFor(int spans) {
        return (int) Math.min(1 << 20, 16 + (long) TYPICAL_BYTES * spans);
    }

    /** At least what {@link #write} takes: a string at most 3 bytes a char and its length 10, a number 10. */
    public int encodedSizeBound() {
        long n = 5 * 10 + 8 + strBound(spanId) + strBound(parentSpanId) + strBound(eventId) + strBound(service)
                + strBound(layer) + strBound(destination) + strBound(status) + strBound(node);
        for (String k : vectorClock.keySet()) {
            n += strBound(k) + 10;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static long strBound(String s) {
        return 10 + (s == null ? 0 : 3L * s.length());
    }

    public void write(Bin.Writer w) {
        w.str(spanId).str(parentSpanId).str(eventId).varlong(timestamp).str(service).str(layer).str(destination)
                .varlong(timeoutMs).f64(latencyMs).str(status)
                .str(node.equals(service) ? null : node).varlong(sentAt - timestamp).varlong(lamport)
                .longMap(vectorClock);
    }

    public static Span read(String traceId, Bin.Reader r) {
        String spanId = r.str();
        String parent = r.str();
        String eventId = r.str();
        long timestamp = r.varlong();
        String service = r.str();
        String layer = r.str();
        String destination = r.str();
        long timeoutMs = r.varlong();
        double latencyMs = r.f64();
        String status = r.str();
        String node = r.str();
        long sentAt = timestamp + r.varlong();
        long lamport = r.varlong();
        Map<String, Long> vc = r.longMap();
        return new Span(traceId, spanId, parent, eventId, timestamp, service, layer, destination, timeoutMs, latencyMs,
                status, null, 0, node == null ? service : node, sentAt, lamport, vc);
    }

    static Span fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "span");
        String traceId = r.str();
        String source = r.str();
        long tick = r.varlong();
        return traceId == null ? tick(source, tick) : read(traceId, r);
    }
}
