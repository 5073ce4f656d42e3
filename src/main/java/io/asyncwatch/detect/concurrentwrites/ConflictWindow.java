package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The conflicts of one window: totals for the metric, and per entity (up to {@link #MAX_ENTITIES}) the writes, nodes
 * and pairs its finding shows. In the store the totals and each entity are entries of their own, so no value grows
 * with the window. Everything held is capped, keeping the smallest ids so that arrival order cannot change what is
 * shown; what the caps leave out is counted.
 */
final class ConflictWindow {

    /** Entities detailed per window; conflicts of further ones are counted in {@link #uncounted}. */
    static final int MAX_ENTITIES = 1_000;
    /** Writes shown per entity (their event ids, nodes and clocks): the smallest event ids. */
    static final int MAX_WRITES = 12;
    /** Pairs remembered per entity (the smallest), to count a redelivered pair once and to show some. */
    static final int MAX_PAIRS = 64;
    private static final int VERSION = 1;

    /** One entity's conflicts in the window. */
    static final class EntityConflicts {
        final String entity;
        long vectorPairs;
        long sameSecondPairs;
        /** Nodes with a write in a vector-clock conflict, and in a same-second one. */
        final Set<String> vectorNodes = new TreeSet<>();
        final Set<String> sameSecondNodes = new TreeSet<>();
        /** By event id: sorted, so what is shown is the same whatever order the pairs arrived in. */
        final TreeMap<String, WriteFrontier.Write> writes = new TreeMap<>();
        final TreeSet<String> pairs = new TreeSet<>();

        EntityConflicts(String entity) {
            this.entity = entity;
        }

        long pairsTotal() {
            return vectorPairs + sameSecondPairs;
        }

        /** All nodes involved, sorted. */
        Set<String> nodes() {
            Set<String> all = new TreeSet<>(vectorNodes);
            all.addAll(sameSecondNodes);
            return all;
        }

        /** False when the pair was counted already (redelivered; known while it is among the smallest kept). */
        boolean add(WriteConflict c) {
            String a = String.valueOf(c.earlier().eventId());
            String b = String.valueOf(c.later().eventId());
            String pair = a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
            if (!pairs.add(pair)) {
                return false;
            }
            if (pairs.size() > MAX_PAIRS) {
                pairs.pollLast();
            }
            boolean vector = c.basis() == WriteFrontier.Basis.VECTOR;
            if (vector) {
                vectorPairs++;
            } else {
                sameSecondPairs++;
            }
            Set<String> nodes = vector ? vectorNodes : sameSecondNodes;
            nodes.add(c.earlier().node());
            nodes.add(c.later().node());
            keep(c.earlier());
            keep(c.later());
            return true;
        }

        private void keep(WriteFrontier.Write w) {
            writes.put(String.valueOf(w.eventId()), w);
            if (writes.size() > MAX_WRITES) {
                writes.pollLastEntry();
            }
        }

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(entity).varlong(vectorPairs).varlong(sameSecondPairs)
                    .strings(List.copyOf(vectorNodes)).strings(List.copyOf(sameSecondNodes))
                    .strings(List.copyOf(pairs)).varlong(writes.size());
            writes.values().forEach(x -> WriteConflict.write(w, x));
            return w.bytes();
        }

        static EntityConflicts fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "entity conflicts");
            EntityConflicts e = new EntityConflicts(r.str());
            e.vectorPairs = r.varlong();
            e.sameSecondPairs = r.varlong();
            e.vectorNodes.addAll(r.strings());
            e.sameSecondNodes.addAll(r.strings());
            e.pairs.addAll(r.strings());
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                WriteFrontier.Write x = WriteConflict.read(r);
                e.writes.put(String.valueOf(x.eventId()), x);
            }
            return e;
        }
    }

    final long start;
    long vectorPairs;
    long sameSecondPairs;
    long late;
    /** Conflicts of entities beyond {@link #MAX_ENTITIES}: counted in the totals, not detailed. */
    long uncounted;
    /** Entities detailed (in the store, their entries; once closed, also {@link #entities}). */
    long detailed;
    final TreeMap<String, EntityConflicts> entities = new TreeMap<>();

    ConflictWindow(long start) {
        this.start = start;
    }

    void count(WriteConflict c, boolean wasLate) {
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

    /** The totals (the entities are stored apart). */
    byte[] totalsBytes() {
        return Bin.writer().u8(VERSION).varlong(start).varlong(vectorPairs).varlong(sameSecondPairs)
                .varlong(late).varlong(uncounted).varlong(detailed).bytes();
    }

    static ConflictWindow fromTotals(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "conflict window");
        ConflictWindow w = new ConflictWindow(r.varlong());
        w.vectorPairs = r.varlong();
        w.sameSecondPairs = r.varlong();
        w.late = r.varlong();
        w.uncounted = r.varlong();
        w.detailed = r.varlong();
        return w;
    }
}
