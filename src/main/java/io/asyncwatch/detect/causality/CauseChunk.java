package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A chunk of causes as the cause store holds it. Nearly every event is a cause, so these bytes are most of what
 * causality writes to its store and changelog: an entry holds the event id once (16 bytes when it is a UUID), its
 * node and vector clock names as references to the chunk's own dictionary, and times as deltas.
 *
 * <p>Version 1 (the previous release: link and whole fact per entry) is still read.
 */
final class CauseChunk {

    static final int V1 = 1;
    static final int V2 = 2;
    private static final String ID = CausalFact.ID_PREFIX;
    private static final int LINK_IS_ID = 1;
    private static final int PACKED_UUID = 2;
    private static final int LAMPORT = 4;
    private static final int CLOCK = 8;
    private static final int FLAGS = LINK_IS_ID | PACKED_UUID | LAMPORT | CLOCK;
    /** Anything but a plain cause (never booked today): the link and the whole fact, as version 1 wrote them. */
    private static final int WHOLE = 128;

    private CauseChunk() {
    }

    /** The entries of one chunk being gathered: the names it has seen so far, and its bytes. */
    static final class Builder {
        private final long bucket;
        private final Bin.Writer entries = Bin.writer(1024);
        private final Map<String, Integer> names = new HashMap<>();
        private int count;

        Builder(long bucket) {
            this.bucket = bucket;
        }

        void add(CausalFact f) {
            count++;
            if (f.role() != CausalFact.CAUSE || f.via() != null || f.source() != null || f.tick() != 0
                    || f.link() == null || f.eventId() == null || f.node() == null) {
                entries.u8(WHOLE).str(f.link()).bytes(f.toBytes());
                return;
            }
            boolean linkIsId = f.linkedByOwnId();
            UUID uuid = packable(f.eventId());
            Map<String, Long> vc = f.vectorClock();
            int flags = (linkIsId ? LINK_IS_ID : 0) | (uuid != null ? PACKED_UUID : 0) | (f.lamport() != -1 ? LAMPORT : 0)
                    | (vc.isEmpty() ? 0 : CLOCK);
            entries.u8(flags);
            if (!linkIsId) {
                entries.str(f.link());
            }
            if (uuid != null) {
                entries.i64(uuid.getMostSignificantBits()).i64(uuid.getLeastSignificantBits());
            } else {
                entries.str(f.eventId());
            }
            name(f.node());
            entries.varlong(f.timestamp() - bucket).varlong(f.time() - f.timestamp());
            if (f.lamport() != -1) {
                entries.varlong(f.lamport());
            }
            if (!vc.isEmpty()) {
                entries.varlong(vc.size());
                // Key order, as every other encoding of a clock: equal clocks, equal bytes.
                Map<String, Long> sorted = vc instanceof java.util.SortedMap<String, Long> m && m.comparator() == null
                        ? vc : new TreeMap<>(vc);
                sorted.forEach((k, v) -> {
                    name(k);
                    entries.varlong(v);
                });
            }
        }

        private void name(String s) {
            Integer known = names.get(s);
            if (known != null) {
                entries.varlong(known);
            } else {
                entries.varlong(names.size()).str(s);
                names.put(s, names.size());
            }
        }

        int size() {
            return entries.size();
        }

        int count() {
            return count;
        }

        byte[] bytes() {
            return Bin.writer(entries.size() + 16).u8(V2).varlong(bucket).varlong(count).raw(entries).bytes();
        }
    }

    /** A UUID in its canonical text, or null: only what prints back the same is packed. */
    private static UUID packable(String id) {
        if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(18) != '-'
                || id.charAt(23) != '-') {
            return null;
        }
        try {
            UUID u = UUID.fromString(id);
            return u.toString().equals(id) ? u : null;
        } catch (IllegalArgumentException notOne) {
            return null;
        }
    }

    /** Every cause in a chunk of either version (its link set), in the order it was written. */
    static void read(byte[] chunk, Consumer<CausalFact> each) {
        Bin.Reader r = Bin.reader(chunk);
        int version = r.u8();
        if (version == V1) {
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                String link = r.str();
                CausalFact f = CausalFact.fromBytes(r.bytes());
                each.accept(f.at(link, f.time()));
            }
            return;
        }
        if (version != V2) {
            throw new IllegalStateException("unknown cause chunk format version " + version + " (expected " + V1
                    + " or " + V2 + ")");
        }
        long bucket = r.varlong();
        long n = r.varlong();
        List<String> names = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            int flags = r.u8();
            if (flags != WHOLE && (flags & ~FLAGS) != 0) {
                throw new IllegalStateException("cause chunk: entry " + i + " has unknown flags " + flags);
            }
            if (flags == WHOLE) {
                String link = r.str();
                CausalFact f = CausalFact.fromBytes(r.bytes());
                each.accept(f.at(link, f.time()));
                continue;
            }
            String link = (flags & LINK_IS_ID) != 0 ? null : r.str();
            String eventId = (flags & PACKED_UUID) != 0
                    ? new UUID(r.i64(), r.i64()).toString()
                    : r.str();
            if (link == null) {
                link = ID + eventId;
            }
            String node = name(r, names);
            long timestamp = bucket + r.varlong();
            long time = timestamp + r.varlong();
            long lamport = (flags & LAMPORT) != 0 ? r.varlong() : -1;
            Map<String, Long> vc = Map.of();
            if ((flags & CLOCK) != 0) {
                long size = r.varlong();
                TreeMap<String, Long> m = new TreeMap<>();
                for (long k = 0; k < size; k++) {
                    m.put(name(r, names), r.varlong());
                }
                vc = m;
            }
            each.accept(new CausalFact(CausalFact.CAUSE, link, eventId, node, null, timestamp, lamport, vc, time,
                    null, 0));
        }
    }

    private static String name(Bin.Reader r, List<String> names) {
        int i = r.varint();
        if (i >= 0 && i < names.size()) {
            return names.get(i);
        }
        if (i != names.size()) {
            throw new IllegalStateException("cause chunk: name " + i + " before name " + names.size());
        }
        String s = r.str();
        names.add(s);
        return s;
    }
}
