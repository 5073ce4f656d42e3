package io.asyncwatch.detect.traces;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * What crosses the broker to a trace's task: the spans of one trace that one input task gathered since its last
 * commit or tick, in arrival order, each already at its record's event time; or (traceId null) an input partition's
 * clock tick. One record per trace and commit instead of one per span: a trace's attempts (retries, fan-out) land on
 * the same input partitions close together, most of all while the application catches up.
 *
 * @param atRecordTime a single span in the earlier format, stamped by its sender: its event time is the record's
 */
public record SpanBatch(String traceId, String source, long tick, List<Span> spans, boolean atRecordTime) {

    /** The format of single spans, as the previous release wrote them: still read, if it left some in the topic. */
    private static final int SINGLE_SPAN_VERSION = 2;
    private static final int VERSION = 3;

    public static final Serde<SpanBatch> SERDE = Bin.serde(SpanBatch::toBytes, SpanBatch::fromBytes);

    public static SpanBatch of(String traceId, List<Span> spans) {
        return new SpanBatch(traceId, null, 0, spans, false);
    }

    public static SpanBatch tick(String source, long time) {
        return new SpanBatch(null, source, time, List.of(), false);
    }

    public boolean isTick() {
        return traceId == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer(isTick() ? 32 : Span.bufferFor(spans.size())).u8(VERSION).str(traceId).str(source)
                .varlong(tick);
        if (!isTick()) {
            w.varlong(spans.size());
            for (Span s : spans) {
                s.write(w);
            }
        }
        return w.bytes();
    }

    static SpanBatch fromBytes(byte[] b) {
        Bin.Reader r = Bin.reader(b);
        int version = r.u8();
        if (version != VERSION && version != SINGLE_SPAN_VERSION) {
            throw new IllegalStateException("unknown span batch format version " + version + " (expected " + VERSION
                    + "): likely written by another asyncwatch release running under this application.id; see"
                    + " README, Upgrading");
        }
        String traceId = r.str();
        String source = r.str();
        long tick = r.varlong();
        if (traceId == null) {
            return tick(source, tick);
        }
        if (version == SINGLE_SPAN_VERSION) {
            return new SpanBatch(traceId, null, 0, List.of(Span.read(traceId, r)), true);
        }
        int n = (int) r.varlong();
        if (n < 0) {
            throw new IllegalStateException("span batch of trace " + traceId + " claims " + n + " spans");
        }
        List<Span> spans = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            spans.add(Span.read(traceId, r));
        }
        return of(traceId, spans);
    }
}
