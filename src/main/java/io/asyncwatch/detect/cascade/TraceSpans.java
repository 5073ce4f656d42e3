package io.asyncwatch.detect.cascade;

import io.asyncwatch.detect.traces.Span;
import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;

/**
 * The spans of one trace gathered so far, in the form the trace store holds. Spans read back from the store stay
 * encoded until the trace is judged, and are written back as the bytes they were: a trace's spans arrive in several
 * batches, often in different commits, and decoding and encoding every earlier span again at each commit was most of
 * this stage's work. The stored form is the same as when every span was decoded.
 */
final class TraceSpans {

    static final int VERSION = 1;

    /** The earliest span's time: the trace is judged a horizon after it. */
    final long first;
    /** The stored record the spans read back came from (null: none); they run from {@code storedFrom} to its end. */
    private final byte[] stored;
    private final int storedFrom;
    private final int storedCount;
    /** Spans gathered since the trace was read from the store. */
    private final List<Span> added;

    private TraceSpans(long first, byte[] stored, int storedFrom, int storedCount, List<Span> added) {
        this.first = first;
        this.stored = stored;
        this.storedFrom = storedFrom;
        this.storedCount = storedCount;
        this.added = added;
    }

    /** A trace of {@code spans}, none stored yet. */
    static TraceSpans of(long first, List<Span> spans) {
        return new TraceSpans(first, null, 0, 0, new ArrayList<>(spans));
    }

    /** The same spans, the trace anchored at {@code earlier} (a span earlier than its first arrived late). */
    TraceSpans withFirst(long earlier) {
        return new TraceSpans(earlier, stored, storedFrom, storedCount, added);
    }

    int size() {
        return storedCount + added.size();
    }

    void add(Span span) {
        added.add(span);
    }

    /** Every span, decoded: those read from the store first, in their order, then those added since. */
    List<Span> spans(String traceId) {
        List<Span> all = new ArrayList<>(size());
        if (stored != null) {
            Bin.Reader r = Bin.reader(stored);
            skipTo(r, storedFrom);
            for (int i = 0; i < storedCount; i++) {
                all.add(Span.read(traceId, r));
            }
        }
        all.addAll(added);
        return all;
    }

    byte[] toBytes() {
        int storedBytes = stored == null ? 0 : stored.length - storedFrom;
        Bin.Writer w = Bin.writer(storedBytes + Span.bufferFor(added.size())).u8(VERSION).varlong(first)
                .varlong(size());
        if (stored != null) {
            w.raw(stored, storedFrom, storedBytes);
        }
        added.forEach(s -> s.write(w));
        return w.bytes();
    }

    /** The header only: the spans are decoded when {@link #spans} asks for them. */
    static TraceSpans fromBytes(byte[] raw) {
        Bin.Reader r = Bin.versioned(raw, VERSION, "trace");
        long first = r.varlong();
        int count = Math.toIntExact(r.varlong());
        return new TraceSpans(first, raw, r.position(), count, new ArrayList<>());
    }

    private static void skipTo(Bin.Reader r, int position) {
        r.u8();
        r.varlong();
        r.varlong();
        if (r.position() != position) {
            throw new IllegalStateException("trace header read to " + r.position() + ", expected " + position);
        }
    }
}
