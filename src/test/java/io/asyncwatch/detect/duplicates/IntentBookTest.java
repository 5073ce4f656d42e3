package io.asyncwatch.detect.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Intents in memory, their attempts as chunks in the store: a record per bucket and commit, replayed after a restart. */
class IntentBookTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long HORIZON = 600_000;

    private static DuplicateSettings settings(long maxIds) {
        return new DuplicateSettings(HORIZON, 60_000, 10, maxIds, 100);
    }

    private static WriteAttempt write(String requestId, String eventId) {
        return new WriteAttempt(requestId, "db-orders", "database", eventId, true, 1, "Order[1]", 0);
    }

    private static WriteAttempt timeout(String requestId, String eventId) {
        return new WriteAttempt(requestId, "svc-order", "service", eventId, false, 1, "Order[1]", 0);
    }

    private static TaskStore store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> kv = (KeyValueStore<Bytes, byte[]>) StateStores
                .taskStore(DuplicateIntentsProcessor.STORE, StoreMode.REPLAY).withCachingDisabled()
                .withLoggingDisabled().build();
        kv.init(context.getStateStoreContext(), kv);
        return new TaskStore(kv);
    }

    @Test
    void attemptsBecomeOneChunkPerBucketAndCommitAndTheIntentsComeBackAfterARestart() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(1_000_000), true);
        for (int i = 0; i < 1_000; i++) {
            assertNull(book.add(write("r" + i, "e" + i), T0 + i, "t"));
        }
        assertNull(book.add(timeout("r42", "t42"), T0 + 5, "t"));
        assertEquals(0, store.allData().size(), "nothing written before the commit");
        book.flush();
        assertEquals(1, store.allData().size(), "1 001 attempts in one bucket: one chunk, not records per request id");

        // A new book on the same store (a restarted task): r42's first write and its timed-out attempt are known.
        IntentBook revived = new IntentBook(store, settings(1_000_000), true);
        assertEquals(1_000, revived.size());
        assertNull(revived.add(write("r42", "e42"), T0 + 2_000, "t"), "the same write redelivered is not a second one");
        DuplicateIntent dup = revived.add(write("r42", "e42-again"), T0 + 3_000, "t");
        assertNotNull(dup);
        assertEquals(List.of("e42", "e42-again"), dup.writeIds());
        assertEquals("attempt 1 at svc-order timed out (t42) but its write landed", dup.zombie());
    }

    @Test
    void anIntentIsForgottenWhenTheClockPassesItsFirstWriteByTheHorizonAndItsChunkWithIt() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(1_000_000), true);
        book.add(write("r1", "a"), T0, "t");
        book.add(write("r2", "b"), T0 + 3_000, "t");
        book.flush();

        book.expire(T0 + HORIZON - 1);
        assertEquals(2, book.size());
        book.expire(T0 + HORIZON);
        assertNull(book.get("r1"), "r1's horizon is over");
        assertNotNull(book.get("r2"));
        assertEquals(1, store.allData().size(), "the chunk stays while r2 is within its horizon");

        book.expire(T0 + HORIZON + 3_000);
        assertEquals(0, book.size());
        assertEquals(1, store.allData().size(), "r2's bucket ends after it: the chunk goes at the bucket's end");
        book.expire(T0 + IntentBook.BUCKET_MS + HORIZON);
        assertEquals(List.of(), store.allData(), "the chunk dropped whole");
        assertEquals(0, new IntentBook(store, settings(1_000_000), true).size());
    }

    @Test
    void aWriteBeyondTheHorizonStartsANewIntentLiveAndAfterARestart() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(1_000_000), true);
        book.add(write("r1", "a"), T0, "t");
        book.flush();
        assertNull(book.add(write("r1", "b"), T0 + HORIZON, "t"), "beyond the horizon: a new intent, not a duplicate");
        book.flush();

        for (IntentBook b : List.of(book, new IntentBook(store, settings(1_000_000), true))) {
            assertEquals(T0 + HORIZON, b.get("r1").firstSeen);
        }
        IntentBook revived = new IntentBook(store, settings(1_000_000), true);
        DuplicateIntent dup = revived.add(write("r1", "c"), T0 + HORIZON + 1, "t");
        assertEquals(List.of("b", "c"), dup.writeIds(), "the first intent's write is not part of the second");
        // The new intent's horizon runs from its own first write, also after the old one's expiry came round.
        revived.expire(T0 + HORIZON + IntentBook.BUCKET_MS);
        assertNotNull(revived.get("r1"));
    }

    @Test
    void requestIdsBeyondTheCapAreCountedNotTracked() {
        IntentBook book = new IntentBook(store(), settings(2), true);
        book.add(write("r1", "a"), T0, "t");
        book.add(write("r2", "b"), T0, "t");
        assertNull(book.add(write("r3", "c"), T0, "t"));
        assertNull(book.add(write("r3", "d"), T0, "t"), "r3 is not tracked, so its second write is no duplicate");
        assertNotNull(book.add(write("r1", "e"), T0, "t"), "a tracked id still is");
        assertEquals(2, book.size());
        assertEquals(2, book.drainOverflow());
        assertEquals(0, book.drainOverflow());
    }

    @Test
    void withoutAChangelogNothingIsWritten() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(1_000_000), false);
        book.add(write("r1", "a"), T0, "t");
        book.flush();
        assertEquals(List.of(), store.allData());
        assertNotNull(book.add(write("r1", "b"), T0 + 1, "t"));
    }

    @Test
    void aLateWriteAfterItsIntentExpiredStartsANewOneLiveAndAfterARestart() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(1_000_000), true);
        book.add(write("r1", "a"), T0, "t");
        book.flush();
        book.expire(T0 + HORIZON);
        assertNull(book.get("r1"));
        // Stamped within the first write's horizon, but the clock has forgotten that intent: a new one.
        assertNull(book.add(write("r1", "late"), T0 + HORIZON - 10, "t"));
        book.flush();
        IntentBook revived = new IntentBook(store, settings(1_000_000), true);
        assertEquals(T0 + HORIZON - 10, revived.get("r1").firstSeen, "replayed as it was applied");
        DuplicateIntent live = book.add(write("r1", "third"), T0 + HORIZON - 5, "t");
        DuplicateIntent after = revived.add(write("r1", "third"), T0 + HORIZON - 5, "t");
        assertEquals(List.of("late", "third"), live.writeIds());
        assertEquals(live.writeIds(), after.writeIds());
    }

    @Test
    void intentsAdmittedUnderTheCapAreAllBackAfterARestartEvenWithExpiredOnesStillInTheChunks() {
        TaskStore store = store();
        IntentBook book = new IntentBook(store, settings(2), true);
        book.add(write("r1", "a"), T0, "t");
        book.add(write("r2", "b"), T0, "t");
        book.flush();
        book.expire(T0 + HORIZON + 1);
        assertNull(book.add(write("r3", "c"), T0 + HORIZON + 1, "t"));
        book.add(write("r4", "d"), T0 + HORIZON + 1, "t");
        book.flush();
        assertEquals(0, book.drainOverflow(), "r1 and r2 were forgotten: room for r3 and r4");

        // r1's and r2's chunk is still there (its bucket's end has not passed by the horizon).
        IntentBook revived = new IntentBook(store, settings(2), true);
        assertNotNull(revived.get("r3"));
        assertNotNull(revived.get("r4"));
        assertNotNull(revived.add(write("r4", "d2"), T0 + HORIZON + 2, "t"), "r4 still tracked: its second write");
    }

    @Test
    void intentsStoredAsRecordsByTheVersionBeforeTheChunksAreStillKnown() {
        TaskStore store = store();
        // The former format: version, first seen, entity, per service (service, count, ids), timeouts.
        store.put("r9", Bin.writer().u8(1).varlong(T0).str("Order[1]").varlong(1).str("db-orders").varlong(1)
                .strings(List.of("a")).strings(List.of("attempt 1 at svc-order timed out (t1)")).bytes());
        store.put("i|not-a-chunk", Bin.writer().u8(1).varlong(T0).str(null).varlong(0).strings(List.of())
                .strings(List.of()).bytes());
        IntentBook book = new IntentBook(store, settings(1_000_000), true);
        DuplicateIntent dup = book.add(write("r9", "b"), T0 + 1_000, "t");
        assertEquals(List.of("a", "b"), dup.writeIds());
        assertEquals("attempt 1 at svc-order timed out (t1) but its write landed", dup.zombie());
        assertNotNull(book.get("i|not-a-chunk"), "a request id that looks like a chunk key is read as what it is");
        book.expire(T0 + HORIZON);
        assertNull(book.get("r9"), "forgotten at its horizon, as then");
    }
}
