package io.asyncwatch.detect.duplicates;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.ChunkKeys;
import io.asyncwatch.state.SharedNames;
import io.asyncwatch.state.TaskStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The intents of a task's request ids: in memory, and written to the store (so the changelog) as chunks of write
 * attempts, one per time bucket of the intent's first write and commit, instead of a state record and a deadline
 * entry per request id and the tombstones of both. Most request ids are written once per layer and never doubled,
 * so an attempt costs a map entry and a few bytes of a chunk.
 *
 * <p>After a restart the intents are rebuilt on first use by applying the stored attempts again in the order they were
 * first applied: the store holds every attempt committed with the input offsets before it (the chunks are written
 * before each commit, {@link #flush}). An intent is forgotten once the clock has passed its first write by the
 * horizon; a chunk is dropped whole once every intent of its bucket is.
 */
final class IntentBook {

    /** Chunk size at which the pending attempts are written as records of their own (well below a record's limit). */
    static final int CHUNK_BYTES = 128 * 1024;
    static final long BUCKET_MS = 5_000;
    private static final int VERSION = 1;
    static final String PREFIX = "i|";

    private final TaskStore store;
    private final long horizonMs;
    private final long maxIds;
    private final boolean persist;
    private final Map<String, IntentState> intents = new HashMap<>();
    /** Request ids by the second their intent's horizon ends in: what expiry visits. */
    private final TreeMap<Long, List<String>> leaving = new TreeMap<>();
    /** Attempts not yet in the store, per bucket of their intent's first write. */
    private final TreeMap<Long, Bin.Writer> pending = new TreeMap<>();
    private final Map<Long, Integer> pendingCount = new HashMap<>();
    private int pendingBytes;
    /** Buckets with chunks in the store. */
    private final TreeSet<Long> stored = new TreeSet<>();
    private boolean loaded;
    private long nextSeq;
    private long overflow;
    /** Service names repeat in every attempt and are kept in every intent. */
    private final SharedNames names = new SharedNames();

    /** {@code persist}: write the attempts to the store (false when it has no changelog to restore from). */
    IntentBook(TaskStore store, DuplicateSettings s, boolean persist) {
        this.store = store;
        this.horizonMs = s.horizonMs();
        this.maxIds = s.maxRequestIds();
        this.persist = persist;
    }

    static long bucket(long time) {
        return Math.floorDiv(time, BUCKET_MS) * BUCKET_MS;
    }

    /**
     * Adds the attempt {@code w} stamped {@code time} to its request id's intent; returns the duplicate it completes,
     * or null (also when the cap on request ids left it out: counted).
     */
    DuplicateIntent add(WriteAttempt w, long time, String source) {
        load();
        Applied applied = apply(w, time, source, false, false);
        if (applied == null) {
            return null;
        }
        IntentState state = applied.state();
        if (persist) {
            long b = bucket(state.firstSeen);
            Bin.Writer chunk = pending.computeIfAbsent(b, k -> Bin.writer());
            int before = chunk.size();
            WriteAttempt.write(chunk, w);
            // Whether it started its intent: replayed as it happened, whatever the clock had expired by then.
            chunk.varlong(time).bool(applied.fresh());
            pendingBytes += chunk.size() - before;
            pendingCount.merge(b, 1, Integer::sum);
            if (pendingBytes >= CHUNK_BYTES) {
                flush();
            }
        }
        return applied.duplicate();
    }

    /** The intent an attempt joined, whether it started it, and the duplicate it completed (or null). */
    private record Applied(IntentState state, boolean fresh, DuplicateIntent duplicate) {
    }

    /**
     * Null when the cap left the attempt out. {@code replayed}: the attempt as stored, {@code fresh} saying whether it
     * started its intent; not capped (it was admitted when first applied).
     */
    private Applied apply(WriteAttempt w, long time, String source, boolean replayed, boolean fresh) {
        IntentState state = intents.get(w.requestId());
        if (!replayed) {
            // Beyond the horizon, whether or not its expiry has come round yet: a new intent as far as we know.
            fresh = state == null || time >= state.firstSeen + horizonMs;
            if (state == null && intents.size() >= maxIds) {
                overflow++;
                return null;
            }
        } else {
            fresh |= state == null;
        }
        if (fresh) {
            state = new IntentState(time);
            intents.put(w.requestId(), state);
            leaving.computeIfAbsent(Math.floorDiv(time + horizonMs, 1000), k -> new ArrayList<>()).add(w.requestId());
        }
        return new Applied(state, fresh, state.add(w, names.of(w.service()), time, source));
    }

    /** What is known of {@code requestId}, or null. */
    IntentState get(String requestId) {
        load();
        return intents.get(requestId);
    }

    /** Forgets the intents whose horizon the clock has passed, then the chunks left without any. */
    void expire(long now) {
        load();
        while (!leaving.isEmpty() && leaving.firstKey() * 1000 <= now) {
            Map.Entry<Long, List<String>> second = leaving.firstEntry();
            boolean whole = second.getKey() * 1000 + 999 <= now;
            // An id whose intent was replaced by a later one is dropped from this list: the later one has its own.
            second.getValue().removeIf(id -> {
                IntentState s = intents.get(id);
                if (s == null || Math.floorDiv(s.firstSeen + horizonMs, 1000) != second.getKey()) {
                    return true;
                }
                if (s.firstSeen + horizonMs <= now) {
                    intents.remove(id);
                    return true;
                }
                return false;
            });
            if (!second.getValue().isEmpty() && !whole) {
                break;
            }
            leaving.remove(second.getKey());
        }
        // Every intent of a bucket started before its end, so it is gone once the clock passes that end by the horizon.
        while (!pending.isEmpty() && pending.firstKey() + BUCKET_MS + horizonMs <= now) {
            Map.Entry<Long, Bin.Writer> gone = pending.pollFirstEntry();
            pendingBytes -= gone.getValue().size();
            pendingCount.remove(gone.getKey());
        }
        while (!stored.isEmpty() && stored.first() + BUCKET_MS + horizonMs <= now) {
            long b = stored.pollFirst();
            for (var kv : store.dataWithPrefix(PREFIX + ChunkKeys.bucket(b) + "|")) {
                store.delete(kv.key);
            }
        }
    }

    /**
     * Writes the pending attempts to the store, every bucket at once and in bucket order: an intent replaced by a later
     * one lives in a later bucket, so the chunks' sequence keeps each request id's attempts in the order applied. Run
     * before every commit.
     */
    void flush() {
        for (Long b : new ArrayList<>(pending.keySet())) {
            Bin.Writer w = pending.remove(b);
            Integer n = pendingCount.remove(b);
            if (w == null || n == null || n == 0) {
                continue;
            }
            byte[] chunk = Bin.writer(w.size() + 16).u8(VERSION).varlong(n).raw(w).bytes();
            store.put(PREFIX + ChunkKeys.bucket(b) + "|" + ChunkKeys.sequence(nextSeq++), chunk);
            stored.add(b);
        }
        pendingBytes = 0;
    }

    /** Attempts of further request ids left out by the cap since the last call. */
    long drainOverflow() {
        long n = overflow;
        overflow = 0;
        return n;
    }

    int size() {
        load();
        return intents.size();
    }

    /**
     * Rebuilds the intents once per store lifetime (after a restore): first the intents a store from before the chunks
     * holds as records of their own (forgotten at their deadlines, as then), then the chunks' attempts in the order
     * first applied, decoding one chunk at a time (the store, in memory, holds every chunk's bytes anyway).
     */
    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        TreeMap<Long, String> chunks = new TreeMap<>();
        List<String> legacy = new ArrayList<>();
        store.forEachDataKey(key -> {
            String[] parts = key.startsWith(PREFIX) ? key.split("\\|", 3) : null;
            if (parts != null && parts.length == 3 && parts[1].matches("-?\\d+") && parts[2].matches("\\d+")) {
                stored.add(Long.parseLong(parts[1]));
                chunks.put(Long.parseLong(parts[2]), key);
            } else if (!key.startsWith(DuplicateIntentsProcessor.PENDING_PREFIX)) {
                legacy.add(key);
            }
        });
        for (String requestId : legacy) {
            IntentState s = IntentState.legacy(store.get(requestId));
            intents.put(requestId, s);
            leaving.computeIfAbsent(Math.floorDiv(s.firstSeen + horizonMs, 1000), k -> new ArrayList<>()).add(requestId);
        }
        if (!persist) {
            return;
        }
        for (String key : chunks.values()) {
            Bin.Reader r = Bin.versioned(store.get(key), VERSION, "write attempts chunk");
            for (long n = r.varlong(); n > 0; n--) {
                WriteAttempt w = WriteAttempt.read(r);
                long time = r.varlong();
                apply(w, time, "", true, r.bool());
            }
        }
        nextSeq = chunks.isEmpty() ? 0 : chunks.lastKey() + 1;
    }
}
