package io.asyncwatch.detect.retrystorm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Everything the retry-storm detector remembers about one service: the windows still open (within grace) and
 * the closed windows of the trailing baseline span. Pure Java.
 *
 * <p>It is stored in two parts: the small part every event changes ({@link #openBytes()}: open windows and
 * bookkeeping) and the baseline history that changes only when a window closes ({@link #historyBytes()}), loaded
 * lazily. Writing the whole hour on every event would put kilobytes per event into the changelog.
 *
 * <p>A window [start, start + window) closes once stream time passes its end plus the grace period; an event for
 * a closed window is late. Windows judged STORM are left out of the baseline, so a long storm never becomes the
 * service's new normal and resolves only when the retry share really comes down.
 */
public final class RetryHistory {

    private static final long NONE = Long.MIN_VALUE;

    private String layer;
    /** Start of the first window not closed yet; NONE before the first event. */
    private long nextToClose = NONE;
    private long lateSinceLastClose;
    /** Calm windows still to report after a storm, so the alert stage can count them and resolve. */
    private int calmToReport;
    private final TreeMap<Long, WindowCounts> open = new TreeMap<>();
    /** Closed windows of the baseline span; null until first needed, then loaded from {@link #historySource}. */
    private TreeMap<Long, WindowCounts> closed;
    private Supplier<byte[]> historySource = () -> null;
    private boolean historyChanged;

    public String layer() {
        return layer;
    }

    /**
     * Counts one attempt in its window.
     *
     * @return false when the window has already closed: the event is late beyond grace and was only counted as late
     */
    public boolean add(long eventTime, long streamTime, long graceMs, String layer, boolean retry,
                       boolean clockSuspect, String eventId, RetryStormSettings s) {
        this.layer = layer;
        long start = windowStart(eventTime, s.windowMs());
        if ((nextToClose != NONE && start < nextToClose) || start + s.windowMs() + graceMs <= streamTime) {
            lateSinceLastClose++;
            return false;
        }
        open.computeIfAbsent(start, k -> new WindowCounts()).add(retry, clockSuspect, eventId);
        return true;
    }

    /** True when {@link #closeDue} would close at least one window, so callers can skip a store write. */
    public boolean hasDue(long streamTime, long graceMs, RetryStormSettings s) {
        long first = nextToClose != NONE ? nextToClose : open.isEmpty() ? NONE : open.firstKey();
        return first != NONE && first + s.windowMs() + graceMs <= streamTime && (!open.isEmpty() || calmToReport > 0);
    }

    /**
     * Closes and judges every window whose end + grace is at or before {@code streamTime}, oldest first.
     * Silent windows are skipped (they add nothing to the baseline) unless a storm is cooling down.
     */
    public List<ClosedWindow> closeDue(String service, long streamTime, long graceMs, int calmWindowsToReport,
                                       RetryStormSettings s) {
        List<ClosedWindow> out = new ArrayList<>();
        long w = s.windowMs();
        if (streamTime < 0) {
            return out;
        }
        long dueEnd = Math.floorDiv(streamTime - graceMs, w) * w;
        if (nextToClose == NONE) {
            if (open.isEmpty()) {
                return out;
            }
            nextToClose = open.firstKey();
        }
        while (nextToClose + w <= dueEnd) {
            long start = nextToClose;
            WindowCounts counts = open.remove(start);
            if (counts == null && calmToReport == 0) {
                Long nextOpen = open.ceilingKey(start);
                nextToClose = nextOpen == null ? dueEnd : Math.min(nextOpen, dueEnd);
                continue;
            }
            if (counts == null) {
                counts = new WindowCounts();
            }
            out.add(judge(service, start, counts, calmWindowsToReport, s));
            nextToClose = start + w;
        }
        if (historyChanged) {
            closed().headMap(nextToClose - s.baselineMs(), false).clear();
        }
        return out;
    }

    private ClosedWindow judge(String service, long start, WindowCounts counts, int calmWindowsToReport,
                               RetryStormSettings s) {
        long baseAttempts = 0;
        long baseRetries = 0;
        for (Map.Entry<Long, WindowCounts> e : closed().subMap(start - s.baselineMs(), true, start, false).entrySet()) {
            if (!e.getValue().hot) {
                baseAttempts += e.getValue().attempts;
                baseRetries += e.getValue().retries;
            }
        }
        Judgement j = RetryMath.judge(counts.attempts, counts.retries, baseAttempts, baseRetries, s);
        boolean storm = j.severity() != null;
        boolean report = storm || calmToReport > 0;
        if (storm) {
            counts.hot = true;
            calmToReport = calmWindowsToReport;
        } else if (calmToReport > 0) {
            calmToReport--;
        }
        if (counts.attempts > 0) {
            closed().put(start, counts);
        }
        historyChanged = true;
        long late = lateSinceLastClose;
        lateSinceLastClose = 0;
        return new ClosedWindow(service, layer, start, start + s.windowMs(), counts.attempts, counts.retries,
                counts.clockSuspect, baseAttempts, late, j, report, List.copyOf(counts.sampleRetryIds));
    }

    static long windowStart(long time, long windowMs) {
        return Math.floorDiv(time, windowMs) * windowMs;
    }

    private TreeMap<Long, WindowCounts> closed() {
        if (closed == null) {
            closed = new TreeMap<>();
            byte[] bytes = historySource.get();
            if (bytes != null) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                checkVersion(b.get());
                readWindows(b, closed);
            }
        }
        return closed;
    }

    // --- storage: compact binary, since the open part is read and written for every event ---

    private static final byte VERSION = 1;

    /** The part every event changes: layer, bookkeeping and the open windows. */
    public byte[] openBytes() {
        byte[] layerBytes = layer == null ? new byte[0] : layer.getBytes(StandardCharsets.UTF_8);
        int size = 1 + 4 + layerBytes.length + 8 + 8 + 4 + 4;
        for (WindowCounts c : open.values()) size += sizeOf(c);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION).putInt(layerBytes.length).put(layerBytes);
        b.putLong(nextToClose).putLong(lateSinceLastClose).putInt(calmToReport);
        writeWindows(b, open);
        return b.array();
    }

    /** Whether {@link #historyBytes()} differs from what was loaded: true once a window has been judged. */
    public boolean historyChanged() {
        return historyChanged;
    }

    /** The closed windows of the baseline span. */
    public byte[] historyBytes() {
        int size = 1 + 4;
        for (WindowCounts c : closed().values()) size += sizeOf(c);
        ByteBuffer b = ByteBuffer.allocate(size).put(VERSION);
        writeWindows(b, closed());
        return b.array();
    }

    /** Restores a history; {@code history} is only called if a window has to be judged. */
    public static RetryHistory load(byte[] openBytes, Supplier<byte[]> history) {
        RetryHistory h = new RetryHistory();
        ByteBuffer b = ByteBuffer.wrap(openBytes);
        checkVersion(b.get());
        byte[] layerBytes = new byte[b.getInt()];
        b.get(layerBytes);
        h.layer = layerBytes.length == 0 ? null : new String(layerBytes, StandardCharsets.UTF_8);
        h.nextToClose = b.getLong();
        h.lateSinceLastClose = b.getLong();
        h.calmToReport = b.getInt();
        readWindows(b, h.open);
        h.historySource = history;
        return h;
    }

    private static void checkVersion(byte version) {
        if (version != VERSION) {
            throw new IllegalStateException("unknown retry-history format version " + version);
        }
    }

    private static int sizeOf(WindowCounts c) {
        int size = 8 + 8 + 8 + 8 + 1 + 4;
        for (String id : c.sampleRetryIds) size += 4 + id.getBytes(StandardCharsets.UTF_8).length;
        return size;
    }

    private static void writeWindows(ByteBuffer b, TreeMap<Long, WindowCounts> windows) {
        b.putInt(windows.size());
        for (Map.Entry<Long, WindowCounts> e : windows.entrySet()) {
            WindowCounts c = e.getValue();
            b.putLong(e.getKey()).putLong(c.attempts).putLong(c.retries).putLong(c.clockSuspect);
            b.put((byte) (c.hot ? 1 : 0)).putInt(c.sampleRetryIds.size());
            for (String id : c.sampleRetryIds) {
                byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
                b.putInt(idBytes.length).put(idBytes);
            }
        }
    }

    private static void readWindows(ByteBuffer b, TreeMap<Long, WindowCounts> into) {
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            long start = b.getLong();
            WindowCounts c = new WindowCounts();
            c.attempts = b.getLong();
            c.retries = b.getLong();
            c.clockSuspect = b.getLong();
            c.hot = b.get() == 1;
            int samples = b.getInt();
            for (int j = 0; j < samples; j++) {
                byte[] id = new byte[b.getInt()];
                b.get(id);
                c.sampleRetryIds.add(new String(id, StandardCharsets.UTF_8));
            }
            into.put(start, c);
        }
    }
}
