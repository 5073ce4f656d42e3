package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The conflicts of one window: totals for the metric, and per entity (up to {@link #MAX_ENTITIES}) the writes, nodes
 * and pairs its finding shows. Everything held is capped; what the caps leave out is counted.
 */
final class ConflictWindow {

    /** Entities detailed per window; conflicts of further ones are counted in {@link #uncounted}. */
    static final int MAX_ENTITIES = 10_000;
    /** Writes shown per entity (their event ids, nodes and clocks). */
    static final int MAX_WRITES = 12;
    /** Pairs remembered per entity, to count a redelivered pair once. */
    static final int MAX_PAIRS = 64;
    private static final int VERSION = 1;

    /** One entity's conflicts in the window. */
    static final class EntityConflicts {
        final String entity;
        long vectorPairs;
        long sameSecondPairs;
        final Set<String> nodes = new java.util.TreeSet<>();
        /** By event id: sorted, so output is the same whatever order the pairs arrived in. */
        final TreeMap<String, WriteFrontier.Write> writes = new TreeMap<>();
        final Set<String> pairs = new java.util.TreeSet<>();
        long moreWrites;

        EntityConflicts(String entity) {
            this.entity = entity;
        }

        long pairsTotal() {
            return vectorPairs + sameSecondPairs;
        }

        /** False when the pair was counted already (redelivered). */
        boolean add(WriteConflict c) {
            String a = String.valueOf(c.earlier().eventId());
            String b = String.valueOf(c.later().eventId());
            String pair = a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
            if (pairs.contains(pair)) {
                return false;
            }
            if (pairs.size() < MAX_PAIRS) {
                pairs.add(pair);
            }
            if (c.basis() == WriteFrontier.Basis.VECTOR) {
                vectorPairs++;
            } else {
                sameSecondPairs++;
            }
            keep(c.earlier());
            keep(c.later());
            return true;
        }

        private void keep(WriteFrontier.Write w) {
            nodes.add(w.node());
            String id = String.valueOf(w.eventId());
            if (writes.containsKey(id)) {
                return;
            }
            if (writes.size() < MAX_WRITES) {
                writes.put(id, w);
            } else {
                moreWrites++;
            }
        }
    }

    final long start;
    long vectorPairs;
    long sameSecondPairs;
    long late;
    /** Conflicts of entities beyond {@link #MAX_ENTITIES}: counted in the totals, not detailed. */
    long uncounted;
    final TreeMap<String, EntityConflicts> entities = new TreeMap<>();

    ConflictWindow(long start) {
        this.start = start;
    }

    void add(WriteConflict c, boolean wasLate) {
        EntityConflicts e = entities.get(c.entity());
        if (e == null) {
            if (entities.size() >= MAX_ENTITIES) {
                uncounted++;
                count(c, wasLate);
                return;
            }
            e = new EntityConflicts(c.entity());
            entities.put(c.entity(), e);
        }
        if (e.add(c)) {
            count(c, wasLate);
        }
    }

    private void count(WriteConflict c, boolean wasLate) {
        if (c.basis() == WriteFrontier.Basis.VECTOR) {
            vectorPairs++;
        } else {
            sameSecondPairs++;
        }
        if (wasLate) {
            late++;
        }
    }

    /** The most conflicted entities first (then by name): who gets a finding, and the standup's top entities. */
    List<EntityConflicts> ranked() {
        List<EntityConflicts> out = new ArrayList<>(entities.values());
        out.sort(Comparator.comparingLong(EntityConflicts::pairsTotal).reversed()
                .thenComparing(e -> e.entity));
        return out;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(start).varlong(vectorPairs).varlong(sameSecondPairs)
                .varlong(late).varlong(uncounted).varlong(entities.size());
        for (EntityConflicts e : entities.values()) {
            w.str(e.entity).varlong(e.vectorPairs).varlong(e.sameSecondPairs).varlong(e.moreWrites)
                    .strings(List.copyOf(e.nodes)).strings(List.copyOf(e.pairs)).varlong(e.writes.size());
            e.writes.values().forEach(x -> WriteConflict.write(w, x));
        }
        return w.bytes();
    }

    static ConflictWindow fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "conflict window");
        ConflictWindow w = new ConflictWindow(r.varlong());
        w.vectorPairs = r.varlong();
        w.sameSecondPairs = r.varlong();
        w.late = r.varlong();
        w.uncounted = r.varlong();
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            EntityConflicts e = new EntityConflicts(r.str());
            e.vectorPairs = r.varlong();
            e.sameSecondPairs = r.varlong();
            e.moreWrites = r.varlong();
            e.nodes.addAll(r.strings());
            e.pairs.addAll(r.strings());
            long writes = r.varlong();
            for (long j = 0; j < writes; j++) {
                WriteFrontier.Write x = WriteConflict.read(r);
                e.writes.put(String.valueOf(x.eventId()), x);
            }
            w.entities.put(e.entity, e);
        }
        return w;
    }
}
