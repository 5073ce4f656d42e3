package io.asyncwatch.detect.concurrentwrites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The frontiers as chunks in the store: a record per bucket and commit, rebuilt after a restart, dropped whole. */
class WriteBookTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long GRACE = 30_000;
    private static final long NONE = Long.MIN_VALUE;

    private final ConcurrentWriteSettings s = AsyncwatchConfig.fromMap(Map.of())
            .settings(ConcurrentWriteSettings.SPEC);

    private static WriteFrontier.Write w(String id, String node, long t, Map<String, Long> vc) {
        return new WriteFrontier.Write(id, node, "r-" + id, t, t, vc);
    }

    private static TaskStore store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> kv = (KeyValueStore<Bytes, byte[]>) StateStores
                .taskStore(EntityWritesProcessor.STORE, StoreMode.REPLAY).withCachingDisabled().withLoggingDisabled().build();
        kv.init(context.getStateStoreContext(), kv);
        return new TaskStore(kv);
    }

    @Test
    void writesBecomeOneChunkPerBucketAndCommitAndComeBackAfterARestart() {
        TaskStore store = store();
        WriteBook book = new WriteBook(store, s, GRACE, true);
        for (int i = 0; i < 1_000; i++) {
            book.add("Item[" + i + "]", w("e" + i, "n" + (i % 3), T0 + i, Map.of("n" + (i % 3), 1L)), NONE);
        }
        book.add("User[42]", w("a", "A", T0 + 10, Map.of("A", 1L)), NONE);
        assertEquals(0, store.allData().size(), "nothing written before the commit");
        book.flush();
        assertEquals(1, store.allData().size(), "1 001 writes in one bucket: one chunk, not a record each");
        assertEquals(1_001, book.size());

        // A new book on the same store (a restarted task) has the frontiers back: B's write meets A's.
        WriteBook revived = new WriteBook(store, s, GRACE, true);
        WriteFrontier.Added added = revived.add("User[42]", w("b", "B", T0 + 20, Map.of("B", 1L)), T0);
        assertEquals(1, added.conflicts().size());
        assertEquals("a", added.conflicts().get(0).earlier().eventId());
        assertEquals(1_001, revived.size());
        assertTrue(revived.add("User[42]", w("a", "A", T0 + 10, Map.of("A", 1L)), T0).duplicate(),
                "a write redelivered after the restart is known");
    }

    @Test
    void outOfReachWritesEntitiesAndChunksAreForgotten() {
        TaskStore store = store();
        WriteBook book = new WriteBook(store, s, GRACE, true);
        book.add("Order[1]", w("x", "A", T0, Map.of()), NONE); // no vector clock: reach 1 s
        book.add("User[42]", w("a", "A", T0, Map.of("A", 1L)), NONE); // vector clock: reach 1 min
        book.flush();
        book.expire(T0 + 1_000 + GRACE + WriteBook.BUCKET_MS);
        assertEquals(1, book.size(), "Order[1] forgotten: nothing can reach its write any more");
        assertEquals(1, store.allData().size(), "the chunk stays while User[42]'s write is within reach");
        book.expire(T0 + s.horizonMs() + GRACE + WriteBook.BUCKET_MS);
        assertEquals(0, book.size());
        assertEquals(List.of(), store.allData(), "the chunk dropped whole");
        WriteBook revived = new WriteBook(store, s, GRACE, true);
        assertTrue(revived.add("User[42]", w("b", "B", T0 + 20, Map.of("B", 1L)), NONE).conflicts().isEmpty());
    }

    @Test
    void theCapOnEntitiesLeavesNewOnesOutAndCountsThem() {
        ConcurrentWriteSettings small = AsyncwatchConfig.fromMap(Map.of("asyncwatch.concurrent-write.max-entities",
                "2")).settings(ConcurrentWriteSettings.SPEC);
        WriteBook book = new WriteBook(store(), small, GRACE, false);
        book.add("A[1]", w("1", "A", T0, Map.of()), NONE);
        book.add("A[2]", w("2", "A", T0, Map.of()), NONE);
        assertNull(book.add("A[3]", w("3", "A", T0, Map.of()), NONE));
        book.add("A[1]", w("4", "B", T0 + 5_000, Map.of()), NONE);
        assertEquals(1, book.drainCounts()[0]);
        assertEquals(0, book.drainCounts()[0], "drained");
    }
}
