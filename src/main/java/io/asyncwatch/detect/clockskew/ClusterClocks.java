package io.asyncwatch.detect.clockskew;

import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One cluster's clocks per window, and their judgement: each node's offset from the cluster's median offset (the
 * seeds' "ms from median"), its drift, its failed syncs; and for nodes that publish no clock readings, an estimate
 * from their heartbeats: how much later than the cluster's usual their heartbeats are stamped relative to their
 * records. No Kafka types. Medians make the result independent of arrival order.
 */
final class ClusterClocks {

    /** 2: with the failed-sync streaks; 1 (read only): without. */
    private static final int VERSION = 2;
    /** Samples kept per node and window for its medians (enough for a reading a second). */
    static final int MAX_SAMPLES = 64;

    /** One node's samples in a window. */
    static final class NodeWindow {
        final List<Double> offsets = new ArrayList<>();
        final List<Double> drifts = new ArrayList<>();
        final List<Long> delays = new ArrayList<>();
        int syncFailures;
        long readings;
        long heartbeats;
    }

    static final class Window {
        final long start;
        final TreeMap<String, NodeWindow> nodes = new TreeMap<>();

        Window(long start) {
            this.start = start;
        }
    }

    /**
     * A row of the seeds' clock skew heatmap.
     *
     * @param syncStreak failed readings in a row across windows, when they (not this window's alone) fail it
     */
    record Row(String node, String basis, double offsetMs, double fromMedianMs, double driftPpm, int syncFailures,
               Severity skew, boolean drifting, boolean syncFailing, int syncStreak) {
        String status() {
            return skew == null ? "OK" : skew.name();
        }
    }

    /** A streak of failed syncs is forgotten when its node has not failed again for this long. */
    static final long STREAK_FORGET_MS = 3_600_000;

    /** Readings with syncOk=false in a row, the last in the window starting {@code lastWindow}. */
    record Streak(int failures, long lastWindow) {
    }

    final TreeMap<Long, Window> windows = new TreeMap<>();
    /**
     * Per node, its readings with syncOk=false in a row over the windows judged so far (a node that reads its clock
     * once a minute fails at most once per window); a successful reading ends it, and so does an hour without one.
     */
    final TreeMap<String, Streak> failStreaks = new TreeMap<>();
    long closedBefore = Long.MIN_VALUE;
    long scheduled = Long.MIN_VALUE;
    long overflow;

    void add(Sample sample, long time, ClockSkewSettings s) {
        long start = Math.floorDiv(time, s.windowMs()) * s.windowMs();
        if (closedBefore != Long.MIN_VALUE && start < closedBefore) {
            start = closedBefore; // late: judged with the first window still open
        }
        Window w = windows.computeIfAbsent(start, Window::new);
        NodeWindow n = w.nodes.get(sample.node());
        if (n == null) {
            if (w.nodes.size() >= s.maxNodes()) {
                overflow++;
                return;
            }
            n = new NodeWindow();
            w.nodes.put(sample.node(), n);
        }
        if (sample.reading()) {
            n.readings++;
            keep(n.offsets, sample.offsetMs());
            if (!Double.isNaN(sample.driftPpm())) {
                keep(n.drifts, sample.driftPpm()); // a reading without drift says nothing about it
            }
            if (!sample.syncOk()) {
                n.syncFailures++;
            }
        } else {
            n.heartbeats++;
            if (n.delays.size() < MAX_SAMPLES) {
                n.delays.add(sample.delayMs());
            }
        }
    }

    private static void keep(List<Double> list, double v) {
        if (list.size() < MAX_SAMPLES) {
            list.add(v);
        }
    }

    /** Windows the clock {@code now} has passed (end + grace), oldest first; they leave this cluster. */
    List<Window> close(long now, long windowMs, long graceMs) {
        List<Window> out = new ArrayList<>();
        while (!windows.isEmpty() && windows.firstKey() + windowMs + graceMs <= now) {
            Window w = windows.pollFirstEntry().getValue();
            closedBefore = Math.max(closedBefore, w.start + windowMs);
            out.add(w);
        }
        return out;
    }

    long nextDue(long windowMs, long graceMs) {
        return windows.isEmpty() ? Long.MAX_VALUE : windows.firstKey() + windowMs + graceMs;
    }

    static double median(List<? extends Number> values) {
        double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static Severity skew(double absMs, ClockSkewSettings s) {
        if (absMs > s.pageMs()) {
            return Severity.PAGE;
        }
        if (absMs > s.alertMs()) {
            return Severity.ALERT;
        }
        return absMs > s.warnMs() ? Severity.WARN : null;
    }

    /**
     * The heatmap of a closed window. Nodes with clock readings: their median offset against the median of those
     * (or against the reference below {@code min-nodes}). Nodes with heartbeats only: the cluster's usual delivery
     * delay (median over nodes of each node's median) less theirs, which is how far ahead their clock is stamping;
     * at most WARN, as it rests on delivery delays.
     */
    static List<Row> judge(Window w, ClockSkewSettings s) {
        Map<String, Double> offsets = new TreeMap<>();
        Map<String, Double> delays = new TreeMap<>();
        w.nodes.forEach((node, n) -> {
            if (!n.offsets.isEmpty()) {
                offsets.put(node, median(n.offsets));
            }
            if (!n.delays.isEmpty()) {
                delays.put(node, median(n.delays));
            }
        });
        boolean byMedian = offsets.size() >= s.minNodes();
        double median = byMedian ? median(new ArrayList<>(offsets.values())) : 0;
        double usualDelay = delays.size() >= s.minNodes() ? median(new ArrayList<>(delays.values())) : Double.NaN;
        List<Row> rows = new ArrayList<>();
        w.nodes.forEach((node, n) -> {
            if (offsets.containsKey(node)) {
                double offset = offsets.get(node);
                double from = offset - median;
                double drift = median(n.drifts);
                rows.add(new Row(node, byMedian ? "clock-readings" : "clock-readings-reference", offset, from, drift,
                        n.syncFailures, skew(Math.abs(from), s), !Double.isNaN(drift) && Math.abs(drift) > s.driftWarnPpm(),
                        n.syncFailures >= s.syncFailures(), 0));
            } else if (delays.containsKey(node) && !Double.isNaN(usualDelay)) {
                double ahead = usualDelay - delays.get(node);
                Severity sev = skew(Math.abs(ahead), s) == null ? null : Severity.WARN;
                rows.add(new Row(node, "heartbeats", ahead, ahead, Double.NaN, 0, sev, false, false, 0));
            }
        });
        return rows;
    }

    /**
     * {@link #judge} of a window closed in order, with the failed syncs counted across windows too: a node whose
     * readings keep failing is failing however seldom it reads its clock.
     */
    List<Row> judgeInOrder(Window w, ClockSkewSettings s) {
        failStreaks.values().removeIf(k -> k.lastWindow() + STREAK_FORGET_MS < w.start);
        List<Row> rows = judge(w, s);
        List<Row> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            NodeWindow n = w.nodes.get(r.node());
            if (r.basis().equals("heartbeats") || n == null || n.readings == 0) {
                out.add(r);
                continue;
            }
            int streak;
            if (n.syncFailures == n.readings) {
                Streak before = failStreaks.get(r.node());
                streak = (before == null ? 0 : before.failures()) + n.syncFailures;
                if (before != null || failStreaks.size() < s.maxNodes()) {
                    failStreaks.put(r.node(), new Streak(streak, w.start));
                }
            } else {
                streak = 0;
                failStreaks.remove(r.node());
            }
            out.add(r.syncFailing() || streak < s.syncFailures() ? r
                    : new Row(r.node(), r.basis(), r.offsetMs(), r.fromMedianMs(), r.driftPpm(), r.syncFailures(),
                            r.skew(), r.drifting(), true, streak));
        }
        return out;
    }

    byte[] toBytes() {
        Bin.Writer out = Bin.writer().u8(VERSION).varlong(closedBefore).varlong(scheduled).varlong(windows.size());
        for (Window w : windows.values()) {
            out.varlong(w.start).varlong(w.nodes.size());
            w.nodes.forEach((node, n) -> {
                out.str(node).varlong(n.readings).varlong(n.heartbeats).varlong(n.syncFailures)
                        .varlong(n.offsets.size());
                n.offsets.forEach(out::f64);
                out.varlong(n.drifts.size());
                n.drifts.forEach(out::f64);
                out.varlong(n.delays.size());
                n.delays.forEach(out::varlong);
            });
        }
        out.varlong(failStreaks.size());
        failStreaks.forEach((node, k) -> out.str(node).varlong(k.failures()).varlong(k.lastWindow()));
        return out.bytes();
    }

    static ClusterClocks fromBytes(byte[] b) {
        Bin.Reader r = Bin.reader(b);
        int version = r.u8();
        if (version != VERSION && version != 1) {
            throw new IllegalStateException("unknown cluster clocks format version " + version + " (expected "
                    + VERSION + ")");
        }
        ClusterClocks c = new ClusterClocks();
        c.closedBefore = r.varlong();
        c.scheduled = r.varlong();
        long windows = r.varlong();
        for (long i = 0; i < windows; i++) {
            Window w = new Window(r.varlong());
            long nodes = r.varlong();
            for (long j = 0; j < nodes; j++) {
                String node = r.str();
                NodeWindow n = new NodeWindow();
                n.readings = r.varlong();
                n.heartbeats = r.varlong();
                n.syncFailures = (int) r.varlong();
                long k = r.varlong();
                for (long x = 0; x < k; x++) {
                    n.offsets.add(r.f64());
                }
                k = r.varlong();
                for (long x = 0; x < k; x++) {
                    n.drifts.add(r.f64());
                }
                k = r.varlong();
                for (long x = 0; x < k; x++) {
                    n.delays.add(r.varlong());
                }
                w.nodes.put(node, n);
            }
            c.windows.put(w.start, w);
        }
        if (version == VERSION) {
            long streaks = r.varlong();
            for (long i = 0; i < streaks; i++) {
                c.failStreaks.put(r.str(), new Streak((int) r.varlong(), r.varlong()));
            }
        }
        return c;
    }

    static String format(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%+.0f", v);
    }
}
