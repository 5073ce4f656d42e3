package io.asyncwatch.detect.traces;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.TaskStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans of each trace in a task store as parts: the spans a trace gained since the last commit are written as one
 * entry of their own before the commit ({@link #flush}), so a trace whose spans arrive over many commits is written
 * once in all, not again in full at every commit (a death spiral's traces have dozens of spans). A trace is read back
 * by its parts in order, and deleted with all of them.
 *
 * <p>Keys: {@code <traceId>\u0000<part>}, the part number fixed-width so that key order is part order. A trace
 * written whole under its own id (before the parts) is still read and deleted. The number of parts of every trace
 * is kept in memory (read from the store's keys once, on first use), so a new trace costs no store read.
 */
public final class TraceParts {

    private static final int VERSION = 1;
    private static final char SEPARATOR = '\u0000';

    private final TaskStore store;
    /** Spans not yet written, per trace, in arrival order. */
    private final Map<String, List<Span>> pending = new LinkedHashMap<>();
    /** Parts written per trace in the store, for every trace there. */
    private final Map<String, Integer> parts = new HashMap<>();
    /** Traces written whole by an earlier version. */
    private final java.util.Set<String> whole = new java.util.HashSet<>();
    private final LegacyReader legacy;
    private boolean loaded;

    /** Reads a trace written whole by an earlier version (its own format), or null. */
    @FunctionalInterface
    public interface LegacyReader {
        List<Span> read(String traceId, byte[] raw);
    }

    public TraceParts(TaskStore store, LegacyReader legacy) {
        this.store = store;
        this.legacy = legacy;
    }

    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        store.forEachDataKey(key -> {
            int sep = key.indexOf(SEPARATOR);
            if (sep < 0) {
                whole.add(key);
            } else {
                parts.merge(key.substring(0, sep), 1, Integer::sum);
            }
        });
    }

    /** Whether the trace has spans, stored or pending. */
    public boolean exists(String traceId) {
        load();
        return parts.containsKey(traceId) || whole.contains(traceId) || pending.containsKey(traceId);
    }

    /** Adds {@code span} to its trace; it reaches the store before the next commit. */
    public void append(String traceId, Span span) {
        load();
        pending.computeIfAbsent(traceId, k -> new ArrayList<>()).add(span);
    }

    /** Every span of the trace, in the order appended (those pending included); empty when unknown. */
    public List<Span> read(String traceId) {
        load();
        List<Span> out = new ArrayList<>();
        if (whole.contains(traceId)) {
            byte[] raw = store.get(traceId);
            if (raw != null) {
                out.addAll(legacy.read(traceId, raw));
            }
        }
        if (parts.getOrDefault(traceId, 0) > 0) {
            for (var kv : store.dataWithPrefix(traceId + SEPARATOR)) {
                Bin.Reader r = Bin.versioned(kv.value, VERSION, "trace part");
                for (long n = r.varlong(); n > 0; n--) {
                    out.add(Span.read(traceId, r));
                }
            }
        }
        out.addAll(pending.getOrDefault(traceId, List.of()));
        return out;
    }

    /** Forgets the trace: its parts, what is pending of it, and a whole entry from before. */
    public void delete(String traceId) {
        load();
        pending.remove(traceId);
        Integer n = parts.remove(traceId);
        for (int i = 0; n != null && i < n; i++) {
            store.delete(key(traceId, i));
        }
        if (whole.remove(traceId)) {
            store.delete(traceId);
        }
    }

    /** Replaces the trace's spans with {@code spans} (what is left of it after it was judged). */
    public void replace(String traceId, List<Span> spans) {
        delete(traceId);
        pending.put(traceId, new ArrayList<>(spans));
    }

    /** Writes what each trace gained since the last call as one part: run before every commit. */
    public void flush() {
        pending.forEach((traceId, spans) -> {
            int n = parts.getOrDefault(traceId, 0);
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(spans.size());
            spans.forEach(s -> s.write(w));
            store.put(key(traceId, n), w.bytes());
            parts.put(traceId, n + 1);
        });
        pending.clear();
    }

    private static String key(String traceId, int part) {
        String digits = Integer.toString(part);
        return traceId + SEPARATOR + "0".repeat(Math.max(0, 6 - digits.length())) + digits;
    }
}
