package io.asyncwatch.detect.latency;

import io.asyncwatch.detect.calls.LatencySketch;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import java.util.TreeMap;

/**
 * The path's own latency over the trailing baseline span: its windows' sketches merged into {@link #BUCKETS}
 * buckets (10 minutes each for an hour), so the usual extreme is the p99.9 of the whole span, not of a single
 * window. Windows judged {@code TAIL} are left out: an incident must not become its own baseline (a tail that
 * persists is alerted until the span holds nothing but it, then it is the path's new usual).
 *
 * <p>Size: at most {@link #BUCKETS} + 1 sketches of a few hundred bytes each per path.
 */
final class TailHistory {

    static final int BUCKETS = 6;
    private static final int VERSION = 2;

    private record Bucket(LatencySketch sketch, int windows) {
    }

    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    long lastWindowEnd = Long.MIN_VALUE;

    static long bucketMs(long baselineMs) {
        return Math.max(1, baselineMs / BUCKETS);
    }

    /** The merged latency of the windows that started in the buckets overlapping [windowStart - baselineMs, ...). */
    Baseline baseline(long windowStart, long baselineMs) {
        long from = Math.floorDiv(windowStart - baselineMs, bucketMs(baselineMs)) * bucketMs(baselineMs);
        LatencySketch merged = new LatencySketch();
        int windows = 0;
        for (Map.Entry<Long, Bucket> e : buckets.tailMap(from, true).entrySet()) {
            merged.merge(e.getValue().sketch());
            windows += e.getValue().windows();
        }
        return new Baseline(merged, windows);
    }

    record Baseline(LatencySketch latency, int windows) {
        double p999() {
            return windows == 0 ? Double.NaN : latency.quantile(0.999);
        }
    }

    void add(long windowStart, LatencySketch window, long baselineMs) {
        long bucket = Math.floorDiv(windowStart, bucketMs(baselineMs)) * bucketMs(baselineMs);
        Bucket b = buckets.get(bucket);
        LatencySketch merged = new LatencySketch();
        if (b != null) {
            merged.merge(b.sketch());
        }
        merged.merge(window);
        buckets.put(bucket, new Bucket(merged, (b == null ? 0 : b.windows()) + 1));
        long keepFrom = Math.floorDiv(windowStart - baselineMs, bucketMs(baselineMs)) * bucketMs(baselineMs);
        buckets.headMap(keepFrom, false).clear();
    }

    int buckets() {
        return buckets.size();
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(lastWindowEnd).varlong(buckets.size());
        buckets.forEach((start, b) -> w.varlong(start).varlong(b.windows()).bytes(b.sketch().toBytes()));
        return w.bytes();
    }

    static TailHistory fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "latency tail history");
        TailHistory h = new TailHistory();
        h.lastWindowEnd = r.varlong();
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            long start = r.varlong();
            int windows = (int) r.varlong();
            h.buckets.put(start, new Bucket(LatencySketch.fromBytes(r.bytes()), windows));
        }
        return h;
    }
}
