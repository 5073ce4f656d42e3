package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cause store's chunks: every field comes back, the previous release's chunks still read, and they shrank. */
class CauseChunkTest {

    private static final long BUCKET = 1_767_225_600_000L;

    private static CausalFact cause(String link, String id, String node, long timestamp, Long lamport,
                                    Map<String, Long> vc, long time) {
        return CausalFact.cause(link, id, node, timestamp, lamport, vc).at(link, time);
    }

    private static List<CausalFact> readBack(byte[] chunk) {
        List<CausalFact> out = new ArrayList<>();
        CauseChunk.read(chunk, out::add);
        return out;
    }

    private static void assertSame(CausalFact want, CausalFact got) {
        assertEquals(want.role(), got.role());
        assertEquals(want.link(), got.link());
        assertEquals(want.eventId(), got.eventId());
        assertEquals(want.node(), got.node());
        assertEquals(want.via(), got.via());
        assertEquals(want.timestamp(), got.timestamp());
        assertEquals(want.lamport(), got.lamport());
        assertEquals(want.vectorClock(), got.vectorClock());
        assertEquals(want.time(), got.time());
        assertEquals(want.source(), got.source());
        assertEquals(want.tick(), got.tick());
    }

    @Test
    void everyFieldOfEveryKindOfCauseComesBack() {
        Map<String, Long> unordered = new HashMap<>(Map.of("node-b", 7L, "node-a", 3L, "node-c", 1L << 40));
        Map<String, Long> linked = new LinkedHashMap<>();
        linked.put("z", 1L);
        linked.put("a", 2L);
        String uuid = "4f1c2a9e-07d3-4c1b-9e55-00000000002a";
        String upper = uuid.toUpperCase();
        List<CausalFact> causes = List.of(
                cause("id:" + uuid, uuid, "node-1", BUCKET + 10, 5L, unordered, BUCKET + 12),
                cause("id:" + upper, upper, "node-1", BUCKET + 11, null, Map.of(), BUCKET + 11), // not packed
                cause("id:evt-17", "evt-17", "node-2", BUCKET - 3_000, 0L, linked, BUCKET + 9), // stamped early
                cause("id:evt-18", "evt-18", "node-2", Long.MAX_VALUE, null, null, Long.MIN_VALUE), // absurd times
                cause("id:1-1-1-1-1", "1-1-1-1-1", "ñodo-é", BUCKET, 1L, Map.of("ñodo-é", 1L), BUCKET),
                cause("span:t/s", uuid, "node-1", BUCKET + 1, null, null, BUCKET + 1), // a link that is not its id
                // Shaped like a UUID, but not one that prints back the same: kept as text.
                cause("id:+0000001-0000-4000-8000-00000000002a", "+0000001-0000-4000-8000-00000000002a", "node-1",
                        BUCKET, -5L, null, BUCKET),
                cause("id:evt-20", "evt-20", null, BUCKET + 2, null, null, BUCKET + 2), // no node: kept whole
                // An operation on an entity (a cause with a via): kept whole.
                CausalFact.op("order-7", "pay", "evt-21", "node-3", BUCKET + 3, 4L, Map.of("node-3", 4L))
                        .at("order-7", BUCKET + 3),
                // Not a plain cause: kept whole.
                CausalFact.effect("id:x", CausalFact.VIA_CAUSED_BY, "evt-19", "node-3", BUCKET, 2L, Map.of("n", 1L))
                        .at("id:x", BUCKET + 5));
        CauseChunk.Builder chunk = new CauseChunk.Builder(BUCKET);
        causes.forEach(chunk::add);
        assertEquals(causes.size(), chunk.count());
        List<CausalFact> back = readBack(chunk.bytes());
        assertEquals(causes.size(), back.size());
        for (int i = 0; i < causes.size(); i++) {
            assertSame(causes.get(i), back.get(i));
        }
    }

    /** What the previous release wrote: its link and whole fact per entry, after a version byte and a count. */
    private static byte[] v1(List<CausalFact> causes) {
        Bin.Writer w = Bin.writer().u8(CauseChunk.V1).varlong(causes.size());
        causes.forEach(f -> w.str(f.link()).bytes(f.toBytes()));
        return w.bytes();
    }

    private static List<CausalFact> typical(int n) {
        List<CausalFact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = new UUID(0x4f1c2a9e07d34c1bL + i, 0x9e55000000000000L + 31L * i).toString();
            String node = "node-" + (i % 6);
            Map<String, Long> vc = Map.of(node, (long) i, "node-" + ((i + 1) % 6), (long) i / 2,
                    "node-" + ((i + 2) % 6), (long) i / 3);
            out.add(cause("id:" + id, id, node, BUCKET + 7L * i, (long) i, vc, BUCKET + 7L * i + 3));
        }
        return out;
    }

    @Test
    void aDictionaryOfHundredsOfNamesKeepsEachInItsPlace() {
        List<CausalFact> causes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String node = "node-" + (i * 7 % 300);
            causes.add(cause("id:e" + i, "e" + i, node, BUCKET + i, (long) i,
                    Map.of(node, (long) i, "peer-" + (i % 250), 1L), BUCKET + i));
        }
        CauseChunk.Builder chunk = new CauseChunk.Builder(BUCKET);
        causes.forEach(chunk::add);
        List<CausalFact> back = readBack(chunk.bytes());
        for (int i = 0; i < causes.size(); i++) {
            assertSame(causes.get(i), back.get(i));
        }
    }

    @Test
    void thePreviousReleasesChunksReadTheSame() {
        List<CausalFact> causes = typical(50);
        List<CausalFact> back = readBack(v1(causes));
        assertEquals(causes.size(), back.size());
        for (int i = 0; i < causes.size(); i++) {
            assertSame(causes.get(i), back.get(i));
        }
    }

    @Test
    void aTypicalChunkTakesUnderHalfTheBytesOfThePreviousFormat() {
        List<CausalFact> causes = typical(1_000);
        CauseChunk.Builder chunk = new CauseChunk.Builder(BUCKET);
        causes.forEach(chunk::add);
        byte[] bytes = chunk.bytes();
        int now = bytes.length;
        int before = v1(causes).length;
        assertTrue(now * 2 < before, "a chunk of 1,000 causes: " + now + " bytes, " + before + " before");
        List<CausalFact> back = readBack(bytes);
        for (int i = 0; i < causes.size(); i++) {
            assertSame(causes.get(i), back.get(i));
        }
    }

    @Test
    void anUnknownVersionOrABrokenDictionaryIsRefused() {
        assertThrows(IllegalStateException.class, () -> CauseChunk.read(new byte[] {9, 0}, f -> { }));
        // One cause whose node refers to name 3 of a dictionary that is still empty.
        byte[] broken = Bin.writer().u8(CauseChunk.V2).varlong(BUCKET).varlong(1).u8(1).str("evt").varlong(3)
                .bytes();
        assertThrows(IllegalStateException.class, () -> CauseChunk.read(broken, f -> { }));
        byte[] negative = Bin.writer().u8(CauseChunk.V2).varlong(BUCKET).varlong(1).u8(1).str("evt").varlong(-1)
                .bytes();
        assertThrows(IllegalStateException.class, () -> CauseChunk.read(negative, f -> { }));
        // Flags this version never writes.
        byte[] flags = Bin.writer().u8(CauseChunk.V2).varlong(BUCKET).varlong(1).u8(16 | 1).str("evt").varlong(0)
                .str("n").varlong(0).varlong(0).bytes();
        assertThrows(IllegalStateException.class, () -> CauseChunk.read(flags, f -> { }));
    }
}
