package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-memory cause index: what it finds, what it writes to its store, what a restarted task rebuilds. */
class CauseBookTest {

    private static final long H = 60_000;
    private static final long T0 = 1_767_225_600_000L;

    private TaskStore store;

    @BeforeEach
    void openStore() {
        KeyValueStore<Bytes, byte[]> kv = StateStores.smallTaskStore("causes", StoreMode.REPLAY).build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        kv.init(context.getStateStoreContext(), kv);
        store = new TaskStore(kv);
    }

    private static CausalFact cause(String id, String node, long timestamp, long time) {
        return CausalFact.cause("id:" + id, id, node, timestamp, null, null).at("id:" + id, time);
    }

    @Test
    void findsWhatItBookedAndNothingElse() {
        CauseBook book = new CauseBook(store, H, 1_000, true);
        assertEquals(CauseBook.Booked.NEW, book.add(cause("a", "n1", T0, T0)));
        CausalFact found = book.find("id:a");
        assertNotNull(found);
        assertEquals("n1", found.node());
        assertEquals(T0, found.time());
        assertNull(book.find("id:b"));
    }

    @Test
    void findsTheFactAsBookedWhetherKeptFlatOrWhole() {
        CauseBook book = new CauseBook(store, H, 1_000, true);
        CausalFact plain = CausalFact.cause("id:a", "a", "n1", T0, 7L, java.util.Map.of("n1", 3L, "n2", 1L))
                .at("id:a", T0 + 20);
        // A link that is not the fact's own id is kept whole.
        CausalFact other = CausalFact.cause("id:b", "not-b", "n2", T0 + 5, null, null).at("id:b", T0 + 5);
        book.add(plain);
        book.add(other);
        assertEquals(plain, book.find("id:a"));
        assertEquals(other, book.find("id:b"));
    }

    @Test
    void causesOfOneNodeShareItsName() {
        CauseBook book = new CauseBook(store, H, 1_000, true);
        book.add(cause("a", new String("node-1".toCharArray()), T0, T0));
        book.add(cause("b", new String("node-1".toCharArray()), T0 + 1, T0 + 1));
        org.junit.jupiter.api.Assertions.assertSame(book.find("id:a").node(), book.find("id:b").node(),
                "a task keeps many causes per node: one copy of its name");
    }

    @Test
    void anIdDeliveredTwiceKeepsItsEarliestStampInEitherOrder() {
        CauseBook later = new CauseBook(store, H, 1_000, true);
        later.add(cause("a", "late", T0 + 500, T0 + 500));
        later.add(cause("a", "early", T0, T0));
        assertEquals("early", later.find("id:a").node());

        openStore();
        CauseBook earlier = new CauseBook(store, H, 1_000, true);
        earlier.add(cause("a", "early", T0, T0));
        earlier.add(cause("a", "late", T0 + 500, T0 + 500));
        assertEquals("early", earlier.find("id:a").node());
    }

    @Test
    void aRestartedTaskRebuildsWhatWasWrittenBeforeTheCommit() {
        CauseBook book = new CauseBook(store, H, 1_000, true);
        book.add(cause("a", "n1", T0, T0));
        book.add(cause("b", "n2", T0 + H, T0 + H));
        assertTrue(store.allData().isEmpty(), "nothing written until the commit");
        book.flush();
        assertEquals(2, store.allData().size(), "one chunk per bucket");
        book.add(cause("late-dup", "n3", T0 + 1, T0 + 1));
        book.add(cause("a", "n9", T0 - 5, T0 - 5)); // a duplicate with an earlier stamp
        book.flush();

        CauseBook rebuilt = new CauseBook(store, H, 1_000, true);
        assertEquals("n9", rebuilt.find("id:a").node(), "the earliest stamp, whichever chunk it is in");
        assertEquals("n2", rebuilt.find("id:b").node());
        assertEquals("n3", rebuilt.find("id:late-dup").node());
        assertEquals(3, rebuilt.size());
        // Chunk numbers go on after the restored ones: a new chunk does not overwrite an old one.
        int chunks = store.allData().size();
        rebuilt.add(cause("c", "n4", T0 + 2, T0 + 2));
        rebuilt.flush();
        assertEquals(chunks + 1, store.allData().size(), "a chunk of its own");
        CauseBook again = new CauseBook(store, H, 1_000, true);
        assertEquals(4, again.size());
    }

    /** The previous release's chunk format: link and whole fact per entry. */
    private static byte[] v1Chunk(CausalFact... causes) {
        io.asyncwatch.serde.Bin.Writer w = io.asyncwatch.serde.Bin.writer().u8(CauseChunk.V1).varlong(causes.length);
        for (CausalFact f : causes) {
            w.str(f.link()).bytes(f.toBytes());
        }
        return w.bytes();
    }

    private static String chunkKey(long bucket, long seq) {
        return "k|" + io.asyncwatch.state.ChunkKeys.bucket(bucket) + "|" + io.asyncwatch.state.ChunkKeys.sequence(seq);
    }

    @Test
    void anUpgradedTaskRebuildsFromThePreviousReleasesChunksAndItsOwn() {
        // Written by the previous release: a and b.
        store.put(chunkKey(T0, 0), v1Chunk(cause("a", "old-a", T0 + 5, T0 + 5), cause("b", "old-b", T0 + 6, T0 + 6)));
        CauseBook book = new CauseBook(store, H, 1_000, true);
        assertEquals("old-a", book.find("id:a").node());
        // This release: b again with an earlier stamp, and c.
        book.add(cause("b", "new-b", T0 + 1, T0 + 1));
        book.add(cause("c", "new-c", T0 + 7, T0 + 7));
        book.flush();
        assertEquals(2, store.allData().size());
        assertNotNull(store.get(chunkKey(T0, 1)), "numbered after the restored chunk, not over it");

        CauseBook rebuilt = new CauseBook(store, H, 1_000, true);
        assertEquals(3, rebuilt.size());
        assertEquals("old-a", rebuilt.find("id:a").node());
        assertEquals("new-b", rebuilt.find("id:b").node(), "the earliest stamp, across the two formats");
        assertEquals(T0 + 1, rebuilt.find("id:b").timestamp());
        assertEquals("new-c", rebuilt.find("id:c").node());
    }

    @Test
    void aChunkThatCannotBeReadIsLeftOutWholeAndNotWrittenOver() {
        store.put(chunkKey(T0, 0), v1Chunk(cause("a", "n1", T0, T0)));
        byte[] cut = v1Chunk(cause("b", "n2", T0 + 1, T0 + 1), cause("c", "n3", T0 + 2, T0 + 2));
        store.put(chunkKey(T0, 1), java.util.Arrays.copyOf(cut, cut.length - 3));
        CauseBook book = new CauseBook(store, H, 1_000, true);
        assertEquals(1, book.size(), "the readable chunk only; nothing of the broken one, not even its first cause");
        assertNull(book.find("id:b"));
        book.add(cause("d", "n4", T0 + 3, T0 + 3));
        book.flush();
        assertNotNull(store.get(chunkKey(T0, 2)), "the next chunk goes after the broken one");
        assertEquals(cut.length - 3, store.get(chunkKey(T0, 1)).length, "the broken chunk is left as it was");
    }

    @Test
    void expiryDropsWholeBucketsFromMemoryAndStore() {
        CauseBook book = new CauseBook(store, H, 1_000, true);
        book.add(cause("old", "n1", T0 + 10, T0 + 10));
        book.add(cause("new", "n1", T0 + H + 10, T0 + H + 10));
        book.flush();
        long reach = 2 * H + 5_000;
        book.expire(T0 + reach - 1, reach);
        assertNotNull(book.find("id:old"), "not yet past the reach");
        book.expire(T0 + reach, reach);
        assertNull(book.find("id:old"));
        assertNotNull(book.find("id:new"));
        CauseBook rebuilt = new CauseBook(store, H, 1_000, true);
        assertNull(rebuilt.find("id:old"), "its chunk is gone from the store");
        assertNotNull(rebuilt.find("id:new"));
        // A late cause of a dropped bucket is booked again and dropped at the next expiry.
        book.add(cause("late", "n1", T0 + 20, T0 + 20));
        assertNotNull(book.find("id:late"));
        book.expire(T0 + reach, reach);
        assertNull(book.find("id:late"));
    }

    @Test
    void theCapLeavesOutNewCausesAndCountsThem() {
        CauseBook book = new CauseBook(store, H, 2, true);
        assertEquals(CauseBook.Booked.NEW, book.add(cause("a", "n1", T0, T0)));
        assertEquals(CauseBook.Booked.NEW, book.add(cause("b", "n1", T0, T0)));
        assertEquals(CauseBook.Booked.LEFT_OUT, book.add(cause("c", "n1", T0, T0)));
        assertEquals(CauseBook.Booked.COPY, book.add(cause("a", "n1", T0 - 1, T0 - 1)), "a known id with another"
                + " stamp is not a new entry, nor known to be the same event");
        assertEquals(CauseBook.Booked.AGAIN, book.add(cause("b", "n1", T0, T0)), "delivered again");
        assertNull(book.find("id:c"));
        assertEquals(1, book.drainOverflow());
        assertEquals(0, book.drainOverflow());
    }

    @Test
    void aBusyBucketIsWrittenInChunksBeforeTheCommit() {
        CauseBook book = new CauseBook(store, H, 1_000_000, true);
        String pad = "x".repeat(200);
        int n = 2 * CauseBook.CHUNK_BYTES / 200;
        for (int i = 0; i < n; i++) {
            book.add(cause(pad + i, "n1", T0 + i % 1000, T0 + i % 1000));
        }
        assertTrue(store.allData().size() >= 2, "chunks written as they fill, before any commit");
        book.flush();
        assertTrue(store.allData().size() >= 2);
        assertEquals(n, new CauseBook(store, H, 1_000_000, true).size());
    }

    @Test
    void withoutAChangelogNothingIsWritten() {
        CauseBook book = new CauseBook(store, H, 1_000, false);
        book.add(cause("a", "n1", T0, T0));
        book.flush();
        assertNotNull(book.find("id:a"));
        assertTrue(store.allData().isEmpty());
        book.expire(T0 + 10 * H, 2 * H);
        assertNull(book.find("id:a"));
    }

    @Test
    void aDuplicateInAnotherBucketAgreesWithTheRebuildAfterEitherBucketExpires() {
        long reach = 2 * H + 5_000;
        // The later-stamped copy arrives first, in the later bucket; the earlier-stamped copy in the bucket before.
        CauseBook book = new CauseBook(store, H, 1_000, true);
        book.add(cause("a", "late", T0 + H + 100, T0 + H + 100));
        book.add(cause("a", "early", T0 + H - 100, T0 + H - 100));
        book.flush();
        assertEquals("early", book.find("id:a").node());
        assertEquals("early", new CauseBook(store, H, 1_000, true).find("id:a").node());
        // The earlier bucket expires: the copy listed in the later one keeps the link, in memory as in the store.
        book.expire(T0 + reach, reach);
        CauseBook rebuilt = new CauseBook(store, H, 1_000, true);
        assertEquals(rebuilt.find("id:a") != null, book.find("id:a") != null);
        assertNotNull(book.find("id:a"));
        book.expire(T0 + H + reach, reach);
        assertNull(book.find("id:a"));
        assertNull(new CauseBook(store, H, 1_000, true).find("id:a"));
    }

    /** Through the topology, with changelogged stores as live: the causes reach the changelog by the commit. */
    @Test
    void causesAreInTheChangelogByTheCommitThatCoversThem() {
        io.asyncwatch.config.AsyncwatchConfig config = io.asyncwatch.config.AsyncwatchConfig.fromMap(
                java.util.Map.of()).withInMemoryStores(true);
        try (io.asyncwatch.replay.OfflineEngine engine = new io.asyncwatch.replay.OfflineEngine(config,
                io.asyncwatch.AsyncwatchTopology.build(config))) {
            io.asyncwatch.testing.Requests r = new io.asyncwatch.testing.Requests();
            // 30 events: the partition's clock starts after 20 and releases the events it held.
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                io.asyncwatch.model.RequestEvent e = r.attempt("svc-a", "service",
                        io.asyncwatch.testing.Requests.T0 + i * 10, 1);
                engine.pipe("requests", e.service(), io.asyncwatch.serde.Json.write(e), e.timestamp());
                ids.add(e.eventId());
            }
            // The test driver commits after every record: each record's cause is in a chunk on the changelog.
            java.util.List<org.apache.kafka.streams.test.TestRecord<String, byte[]>> chunks = engine.read(
                    "asyncwatch-replay-causality-causes-changelog",
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            assertTrue(!chunks.isEmpty() && chunks.size() <= 11, "a chunk per commit with causes: " + chunks.size());
            java.util.Set<String> links = new java.util.HashSet<>();
            chunks.forEach(c -> CauseChunk.read(c.value(), f -> links.add(f.link())));
            for (String id : ids) {
                assertTrue(links.contains("id:" + id), id + " is in a chunk");
            }
        }
    }
}
