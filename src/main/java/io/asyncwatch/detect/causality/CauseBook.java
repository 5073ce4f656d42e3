package io.asyncwatch.detect.causality;

import io.asyncwatch.state.ChunkKeys;
import io.asyncwatch.state.SharedNames;
import io.asyncwatch.state.TaskStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The causes an input task has ingested that a lookup can still reach: a hash map in memory, shared by the task's
 * two processors through their store, and written to the store (and so the changelog) as chunks, one per time
 * bucket and commit, instead of one record per cause and one tombstone per expiry. Nearly every event is a cause and
 * nearly none is ever looked up, so a cause costs a map entry and a few bytes of a chunk.
 *
 * <p>After a restart the map is rebuilt from the chunks on first use: the store holds every cause committed with the
 * input offsets before it (the chunks are written before each commit). Buckets are dropped whole, chunks included.
 */
final class CauseBook {

    /** Chunk size at which a bucket's pending causes become a record of their own (well below a record's limit). */
    static final int CHUNK_BYTES = 128 * 1024;
    private static final String PREFIX = "k|";
    private static final Logger LOG = LoggerFactory.getLogger(CauseBook.class);

    /**
     * A cause within reach, with the bucket it is listed in. A task keeps every cause of the reach and almost none
     * is ever looked up, so a plain cause (linked by its own id) is kept flat: no fact object, its id read back from
     * its link, its node name shared with the task's other causes (half the heap a cause took, and less for the
     * young collections to copy). Any other fact is kept whole.
     */
    private record Known(long bucket, String node, long timestamp, long lamport, long time,
                         Map<String, Long> vectorClock, CausalFact whole) {

        CausalFact fact(String link) {
            return whole != null ? whole : new CausalFact(CausalFact.CAUSE, link,
                    link.substring(CausalFact.ID_PREFIX.length()), node, null, timestamp, lamport, vectorClock, time,
                    null, 0);
        }
    }

    private final TaskStore store;
    private final long bucketMs;
    private final long maxCauses;
    private final boolean persist;
    private final Map<String, Known> byLink = new HashMap<>();
    private final SharedNames nodes = new SharedNames();
    /** Links per bucket, in bucket order: what dropping a bucket forgets. */
    private final TreeMap<Long, List<String>> byBucket = new TreeMap<>();
    /** Causes not yet written, per bucket. */
    private final TreeMap<Long, CauseChunk.Builder> pending = new TreeMap<>();
    private boolean loaded;
    private long nextSeq;
    private long overflow;

    /** {@code persist}: write the causes to the store (false when it has no changelog to restore from). */
    CauseBook(TaskStore store, long bucketMs, long maxCauses, boolean persist) {
        this.store = store;
        this.bucketMs = bucketMs;
        this.maxCauses = maxCauses;
        this.persist = persist;
    }

    long bucket(long time) {
        return Math.floorDiv(time, bucketMs) * bucketMs;
    }

    /** What {@link #add} did with a cause. */
    enum Booked {
        NEW,
        /** Its id and stamp were booked before: the same event delivered again. */
        AGAIN,
        /** Its id was booked before with another stamp (the earliest stands): not known to be the same event. */
        COPY,
        /** The cap left it out (counted). */
        LEFT_OUT
    }

    /** Books a cause (its {@code time} set); an id delivered twice keeps its earliest stamp, in any arrival order. */
    Booked add(CausalFact cause) {
        load();
        long b = bucket(cause.time());
        Known known;
        if (byLink.size() < maxCauses) {
            // Nearly every cause is new: one lookup that books it.
            known = byLink.putIfAbsent(cause.link(), known(b, cause));
        } else {
            known = byLink.get(cause.link());
            if (known == null) {
                overflow++;
                return Booked.LEFT_OUT;
            }
        }
        Booked booked = known == null ? Booked.NEW
                : known.timestamp() == cause.timestamp() ? Booked.AGAIN : Booked.COPY;
        if (known != null) {
            if (cause.timestamp() >= known.timestamp()) {
                return booked;
            }
            // A copy with an earlier stamp replaces the known one but is listed in the later of their buckets, as
            // the chunks say after a rebuild (earliest stamp, latest bucket): memory and store agree in any order.
            b = Math.max(known.bucket(), b);
            byLink.put(cause.link(), known(b, cause));
        }
        byBucket.computeIfAbsent(b, k -> new ArrayList<>()).add(cause.link());
        if (!persist) {
            return booked;
        }
        CauseChunk.Builder chunk = pending.computeIfAbsent(b, CauseChunk.Builder::new);
        chunk.add(cause);
        if (chunk.size() >= CHUNK_BYTES) {
            writeChunk(b);
        }
        return booked;
    }

    /** The cause of {@code link}, or null. */
    CausalFact find(String link) {
        load();
        Known k = byLink.get(link);
        return k == null ? null : k.fact(link);
    }

    /** Drops the buckets whose causes no lookup can reach once every task is past {@code slowest}. */
    void expire(long slowest, long reachMs) {
        load();
        while (!byBucket.isEmpty() && byBucket.firstKey() + reachMs <= slowest) {
            Map.Entry<Long, List<String>> e = byBucket.pollFirstEntry();
            long b = e.getKey();
            for (String link : e.getValue()) {
                Known k = byLink.remove(link);
                if (k != null && k.bucket() != b) {
                    byLink.put(link, k); // listed again in a later bucket: kept until that one goes
                }
            }
            pending.remove(b);
            if (!persist) {
                continue;
            }
            for (var kv : store.dataWithPrefix(PREFIX + ChunkKeys.bucket(b) + "|")) {
                store.delete(kv.key);
            }
        }
    }

    /** Writes the pending causes to the store: run before every commit. */
    void flush() {
        for (Long b : new ArrayList<>(pending.keySet())) {
            writeChunk(b);
        }
    }

    /** Causes left out by the cap since the last call. */
    long drainOverflow() {
        long n = overflow;
        overflow = 0;
        return n;
    }

    int size() {
        load();
        return byLink.size();
    }

    private Known known(long bucket, CausalFact f) {
        boolean plain = f.role() == CausalFact.CAUSE && f.via() == null && f.source() == null && f.tick() == 0
                && f.node() != null && f.linkedByOwnId();
        if (!plain) {
            return new Known(bucket, null, f.timestamp(), f.lamport(), f.time(), null, f);
        }
        return new Known(bucket, nodes.of(f.node()), f.timestamp(), f.lamport(), f.time(), f.vectorClock(), null);
    }

    private void writeChunk(long b) {
        CauseChunk.Builder chunk = pending.remove(b);
        if (chunk == null || chunk.count() == 0) {
            return;
        }
        store.put(PREFIX + ChunkKeys.bucket(b) + "|" + ChunkKeys.sequence(nextSeq++), chunk.bytes());
    }

    /** Rebuilds the map from the chunks once per store lifetime (after a restore). */
    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        long maxSeq = -1;
        for (var kv : store.dataWithPrefix(PREFIX)) {
            String[] parts = kv.key.split("\\|", 3);
            long b = Long.parseLong(parts[1]);
            maxSeq = Math.max(maxSeq, Long.parseLong(parts[2]));
            // Decoded whole before any of it is booked: a chunk that cannot be read adds nothing half-way.
            List<CausalFact> causes = new ArrayList<>();
            try {
                CauseChunk.read(kv.value, causes::add);
            } catch (RuntimeException corrupt) {
                LOG.error("causality: cause chunk {} cannot be read ({}); its causes are left out, and effects naming"
                        + " them will count as missing causes", kv.key, corrupt.toString());
                continue;
            }
            for (CausalFact f : causes) {
                String link = f.link();
                Known known = byLink.get(link);
                if (known == null) {
                    byLink.put(link, known(b, f));
                    byBucket.computeIfAbsent(b, k -> new ArrayList<>()).add(link);
                } else {
                    long latest = Math.max(known.bucket(), b);
                    CausalFact earliest = f.timestamp() < known.timestamp() ? f : known.fact(link);
                    byLink.put(link, known(latest, earliest));
                    byBucket.computeIfAbsent(latest, k -> new ArrayList<>()).add(link);
                }
            }
        }
        nextSeq = maxSeq + 1;
    }
}
