package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.ChunkKeys;
import io.asyncwatch.state.SharedNames;
import io.asyncwatch.state.TaskStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frontiers of a task's entities: in memory, and written to the store (so the changelog) as chunks, one per time
 * bucket and commit, instead of a record per write, a deadline entry per entity and the tombstones of both. Most
 * entities are written once or twice and never conflict, so a write costs a map entry and a few bytes of a chunk.
 *
 * <p>After a restart the frontiers are rebuilt from the chunks on first use: the store holds every write committed with
 * the input offsets before it (the chunks are written before each commit, {@link #flush}). Writes leave memory by
 * {@link WriteFrontier}'s rules; chunks are dropped whole once no write in them can be reached.
 */
final class WriteBook {

    /** Chunk size at which a bucket's pending writes become a record of their own (well below a record's limit). */
    static final int CHUNK_BYTES = 128 * 1024;
    static final long BUCKET_MS = 5_000;
    private static final int VERSION = 1;
    private static final String PREFIX = "k|";

    private final TaskStore store;
    private final ConcurrentWriteSettings s;
    private final long graceMs;
    private final boolean persist;
    private final Map<String, WriteFrontier> entities = new HashMap<>();
    /** Node names are few and repeat in every write and vector clock. */
    private final SharedNames names = new SharedNames();
    /**
     * Entities by the time a write of theirs leaves (time + reach + grace, bucketed): what expiry visits. A set per
     * bucket, so an entity written many times a second is listed once per bucket, not once per write.
     */
    private final TreeMap<Long, java.util.Set<String>> leaving = new TreeMap<>();
    /** Writes not yet in the store, per bucket of their time. */
    private final TreeMap<Long, Bin.Writer> pending = new TreeMap<>();
    private final Map<Long, Integer> pendingCount = new HashMap<>();
    /** Buckets with chunks in the store. */
    private final java.util.TreeSet<Long> stored = new java.util.TreeSet<>();
    private boolean loaded;
    private long nextSeq;
    private long overflow;
    private long crowded;

    /** {@code persist}: write the frontiers to the store (false when it has no changelog to restore from). */
    WriteBook(TaskStore store, ConcurrentWriteSettings s, long graceMs, boolean persist) {
        this.store = store;
        this.s = s;
        this.graceMs = graceMs;
        this.persist = persist;
    }

    static long bucket(long time) {
        return Math.floorDiv(time, BUCKET_MS) * BUCKET_MS;
    }

    /**
     * Judges {@code w} against its entity's frontier and keeps it; null when the cap on entities left it out
     * (counted).
     *
     * @param now the stage's clock, {@code Long.MIN_VALUE} before it starts
     */
    WriteFrontier.Added add(String entity, WriteFrontier.Write write, long now) {
        load(now);
        WriteFrontier.Write w = compact(write);
        WriteFrontier f = entities.get(entity);
        if (f == null) {
            if (entities.size() >= s.maxEntities()) {
                overflow++;
                return null;
            }
            f = new WriteFrontier();
            entities.put(entity, f);
        }
        WriteFrontier.Added added = f.add(w, now, s.horizonMs(), graceMs, s.sameSecond(), s.maxWrites());
        if (added.duplicate()) {
            return added;
        }
        crowded += added.evictedForRoom();
        leaving.computeIfAbsent(leavesAt(w), k -> new java.util.HashSet<>()).add(entity);
        if (persist) {
            long b = bucket(w.time());
            Bin.Writer chunk = pending.computeIfAbsent(b, k -> Bin.writer());
            chunk.str(entity);
            WriteConflict.write(chunk, w);
            pendingCount.merge(b, 1, Integer::sum);
            if (chunk.size() >= CHUNK_BYTES) {
                writeChunk(b);
            }
        }
        return added;
    }

    /** The write as kept in memory: shared node names, an immutable compact vector clock. */
    private WriteFrontier.Write compact(WriteFrontier.Write w) {
        Map<String, Long> vc = w.vectorClock();
        if (vc != null && !vc.isEmpty()) {
            @SuppressWarnings("unchecked")
            Map.Entry<String, Long>[] entries = new Map.Entry[vc.size()];
            int i = 0;
            for (Map.Entry<String, Long> e : vc.entrySet()) {
                entries[i++] = Map.entry(names.of(e.getKey()), e.getValue());
            }
            vc = Map.ofEntries(entries); // straight into the compact immutable map, no intermediate copy
        }
        return new WriteFrontier.Write(w.eventId(), names.of(w.node()), w.requestId(), w.timestamp(), w.time(),
                vc == null ? Map.of() : vc);
    }

    /** When {@code w} leaves its frontier by rule 1, rounded up to a bucket. */
    private long leavesAt(WriteFrontier.Write w) {
        return bucket(w.time() + WriteFrontier.reach(w, s.horizonMs()) + graceMs) + BUCKET_MS;
    }

    /** Forgets what the clock has put out of reach: writes, then entities left without any, then whole chunks. */
    void expire(long now) {
        load(now);
        while (!leaving.isEmpty() && leaving.firstKey() <= now) {
            for (String entity : leaving.pollFirstEntry().getValue()) {
                WriteFrontier f = entities.get(entity);
                if (f != null) {
                    f.trim(now, s.horizonMs(), graceMs);
                    if (f.isEmpty()) {
                        entities.remove(entity);
                    }
                }
            }
        }
        // A chunk's writes are all out of reach once the longest reach from the bucket's end has passed.
        long reach = Math.max(s.horizonMs(), WriteFrontier.SAME_SECOND_MS);
        while (!stored.isEmpty() && stored.first() + BUCKET_MS + reach + graceMs <= now) {
            long b = stored.pollFirst();
            pending.remove(b);
            pendingCount.remove(b);
            for (var kv : store.dataWithPrefix(PREFIX + ChunkKeys.bucket(b) + "|")) {
                store.delete(kv.key);
            }
        }
    }

    /** Writes the pending writes to the store: run before every commit. */
    void flush() {
        for (Long b : new ArrayList<>(pending.keySet())) {
            writeChunk(b);
        }
    }

    /** Writes of new entities left out by the cap, and kept writes dropped for room, since the last call. */
    long[] drainCounts() {
        long[] n = {overflow, crowded};
        overflow = 0;
        crowded = 0;
        return n;
    }

    int size() {
        return entities.size();
    }

    private void writeChunk(long b) {
        Bin.Writer w = pending.remove(b);
        Integer n = pendingCount.remove(b);
        if (w == null || n == null || n == 0) {
            return;
        }
        byte[] chunk = Bin.writer(w.size() + 16).u8(VERSION).varlong(n).raw(w).bytes();
        store.put(PREFIX + ChunkKeys.bucket(b) + "|" + ChunkKeys.sequence(nextSeq++), chunk);
        stored.add(b);
    }

    /**
     * Rebuilds the frontiers from the chunks once per store lifetime (after a restore). Writes out of reach are
     * skipped; an entity with more than {@code max-writes-per-entity} writes within reach keeps its newest ones (the
     * chunks also hold writes once dropped for room), the others counted as dropped.
     */
    private void load(long now) {
        if (loaded) {
            return;
        }
        loaded = true;
        long maxSeq = -1;
        Map<String, List<WriteFrontier.Write>> found = new HashMap<>();
        for (var kv : store.dataWithPrefix(PREFIX)) {
            String[] parts = kv.key.split("\\|", 3);
            stored.add(Long.parseLong(parts[1]));
            maxSeq = Math.max(maxSeq, Long.parseLong(parts[2]));
            Bin.Reader r = Bin.versioned(kv.value, VERSION, "entity writes chunk");
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                String entity = r.str();
                WriteFrontier.Write w = WriteConflict.read(r);
                if (!WriteFrontier.gone(w, now, s.horizonMs(), graceMs)) {
                    found.computeIfAbsent(entity, e -> new ArrayList<>()).add(compact(w));
                }
            }
        }
        found.forEach((entity, writes) -> {
            if (writes.size() > s.maxWrites()) {
                writes.sort(java.util.Comparator.comparingLong(WriteFrontier.Write::time));
                crowded += writes.size() - s.maxWrites();
                writes = writes.subList(writes.size() - s.maxWrites(), writes.size());
            }
            WriteFrontier f = new WriteFrontier();
            for (WriteFrontier.Write w : writes) {
                f.restore(w, s.maxWrites());
                leaving.computeIfAbsent(leavesAt(w), k -> new java.util.HashSet<>()).add(entity);
            }
            entities.put(entity, f);
        });
        nextSeq = maxSeq + 1;
    }
}
