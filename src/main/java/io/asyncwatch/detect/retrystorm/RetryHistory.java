package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Everything the retry-storm detector remembers about one service: the windows still open and the closed windows
 * of the trailing baseline span. Pure Java.
 *
 * <p>It is stored in two parts: the small part every delta changes ({@link #openBytes()}) and the baseline history
 * that changes only when a window closes ({@link #historyBytes()}), loaded lazily.
 *
 * <p>A window [start, start + window) closes once the detector's clock passes its end plus {@code closeAfterMs}
 * (the grace period and the flush interval of the partial aggregates); counts for a closed window are late.
 * Windows judged STORM are left out of the baseline, so a long storm never becomes the service's new normal and
 * resolves only when the retry share really comes down.
 */
public final class RetryHistory {

    private static final long NONE = Long.MIN_VALUE;
    private static final int VERSION = 3;

    private String layer;
    /** Windows before this start are closed; NONE before the first close. */
    private long nextToClose = NONE;
    private long lateSinceLastClose;
    /** Start of the latest window that had data: after the baseline span has passed it, the service is forgotten. */
    private long lastActivity = NONE;
    private final TreeMap<Long, WindowCounts> open = new TreeMap<>();
    private TreeMap<Long, WindowCounts> closed;
    private Supplier<byte[]> historySource = () -> null;
    private boolean historyChanged;

    public String layer() {
        return layer;
    }

    /** Adds one partial aggregate; false when its window has already closed (its counts are then late). */
    public boolean add(RetryDelta d) {
        layer = d.layer();
        if (nextToClose != NONE && d.windowStart() < nextToClose) {
            lateSinceLastClose += d.attempts() + d.late();
            return false;
        }
        open.computeIfAbsent(d.windowStart(), k -> new WindowCounts()).add(d);
        lastActivity = Math.max(lastActivity, d.windowStart());
        return true;
    }

    /** When this service next needs the detector with no further input: a window to close, or to be forgotten. */
    public long deadline(long closeAfterMs, RetryStormSettings s) {
        if (!open.isEmpty()) {
            return open.firstKey() + s.windowMs() + closeAfterMs;
        }
        return lastActivity == NONE ? 0 : lastActivity + s.windowMs() + s.baselineMs() + closeAfterMs;
    }

    /**
     * True once nothing is open and the baseline span has passed the last window with data. Late counts not yet
     * reported with a window go with the service: they were dead-lettered or counted where they arrived.
     */
    public boolean forgettable(long now, long closeAfterMs, RetryStormSettings s) {
        return open.isEmpty() && now >= deadline(closeAfterMs, s);
    }

    /** Closes and judges every window whose end + {@code closeAfterMs} is at or before {@code now}, oldest first. */
    public List<ClosedWindow> closeDue(String service, long now, long closeAfterMs, RetryStormSettings s) {
        List<ClosedWindow> out = new ArrayList<>();
        long w = s.windowMs();
        if (now == NONE) {
            return out;
        }
        long dueEnd = Math.floorDiv(now - closeAfterMs, w) * w;
        while (!open.isEmpty() && open.firstKey() + w <= dueEnd) {
            Map.Entry<Long, WindowCounts> first = open.pollFirstEntry();
            out.add(judge(service, first.getKey(), first.getValue(), s));
        }
        if (nextToClose == NONE || dueEnd > nextToClose) {
            nextToClose = dueEnd;
        }
        if (historyChanged) {
            closed().headMap(nextToClose - s.baselineMs(), false).clear();
        }
        return out;
    }

    private ClosedWindow judge(String service, long start, WindowCounts counts, RetryStormSettings s) {
        long baseAttempts = 0;
        long baseRetries = 0;
        for (WindowCounts c : closed().subMap(start - s.baselineMs(), true, start, false).values()) {
            if (!c.hot) {
                baseAttempts += c.attempts;
                baseRetries += c.retries;
            }
        }
        Judgement j = RetryMath.judge(counts.attempts, counts.retries, baseAttempts, baseRetries, s);
        counts.hot = j.severity() != null;
        if (counts.attempts > 0) {
            closed().put(start, counts);
        }
        historyChanged = true;
        long late = lateSinceLastClose + counts.late;
        lateSinceLastClose = 0;
        return new ClosedWindow(service, layer, start, start + s.windowMs(), counts.attempts, counts.retries,
                counts.retriesSucceeded, counts.retriesTimedOut, counts.clockSuspect, baseAttempts, late, j, List.copyOf(counts.sampleRetryIds));
    }

    private TreeMap<Long, WindowCounts> closed() {
        if (closed == null) {
            closed = new TreeMap<>();
            byte[] bytes = historySource.get();
            if (bytes != null) {
                readWindows(Bin.versioned(bytes, VERSION, "retry history"), closed);
            }
        }
        return closed;
    }

    // --- storage: compact binary, since the open part is read and written for every delta ---

    public byte[] openBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(layer).varlong(nextToClose).varlong(lateSinceLastClose)
                .varlong(lastActivity);
        writeWindows(w, open);
        return w.bytes();
    }

    public boolean historyChanged() {
        return historyChanged;
    }

    public byte[] historyBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION);
        writeWindows(w, closed());
        return w.bytes();
    }

    /** Restores a history; {@code history} is only called if a window has to be judged. */
    public static RetryHistory load(byte[] openBytes, Supplier<byte[]> history) {
        RetryHistory h = new RetryHistory();
        Bin.Reader r = Bin.versioned(openBytes, VERSION, "retry windows");
        h.layer = r.str();
        h.nextToClose = r.varlong();
        h.lateSinceLastClose = r.varlong();
        h.lastActivity = r.varlong();
        readWindows(r, h.open);
        h.historySource = history;
        return h;
    }

    private static void writeWindows(Bin.Writer w, TreeMap<Long, WindowCounts> windows) {
        w.varlong(windows.size());
        for (Map.Entry<Long, WindowCounts> e : windows.entrySet()) {
            WindowCounts c = e.getValue();
            w.varlong(e.getKey()).varlong(c.attempts).varlong(c.retries).varlong(c.retriesSucceeded).varlong(c.retriesTimedOut)
                    .varlong(c.clockSuspect).varlong(c.late)
                    .bool(c.hot).strings(c.sampleRetryIds);
        }
    }

    private static void readWindows(Bin.Reader r, TreeMap<Long, WindowCounts> into) {
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            long start = r.varlong();
            WindowCounts c = new WindowCounts();
            c.attempts = r.varlong();
            c.retries = r.varlong();
            c.retriesSucceeded = r.varlong();
            c.retriesTimedOut = r.varlong();
            c.clockSuspect = r.varlong();
            c.late = r.varlong();
            c.hot = r.bool();
            c.sampleRetryIds.addAll(r.strings());
            into.put(start, c);
        }
    }

    static long windowStart(long time, long windowMs) {
        return Math.floorDiv(time, windowMs) * windowMs;
    }
}
