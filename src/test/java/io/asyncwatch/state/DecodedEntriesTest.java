package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Decoded entries reach the store at every commit, and are let go then. */
class DecodedEntriesTest {

    private KeyValueStore<Bytes, byte[]> kv;

    private TaskStore store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> s = (KeyValueStore<Bytes, byte[]>) StateStores
                .taskStore("decoded-test", StoreMode.REPLAY).withCachingDisabled().withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        kv = s;
        return new TaskStore(s);
    }

    private void commit() {
        WriteBackStore.of(kv).flushCache();
    }

    private static byte[] bytes(StringBuilder v) {
        return v.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void entriesReachTheStoreAtTheCommitAndAreLetGo() {
        TaskStore store = store();
        DecodedEntries<StringBuilder> d = new DecodedEntries<>(store, DecodedEntriesTest::bytes);
        d.changed("a", new StringBuilder("1"));
        assertNull(store.get("a"), "written back at the commit, not before");
        commit();
        assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), store.get("a"));
        assertNull(d.get("a"));
        assertEquals("1", d.read("a", b -> new StringBuilder(new String(b, StandardCharsets.UTF_8))).toString(),
                "let go, then read from the store");
        StringBuilder held = new StringBuilder("2");
        d.changed("a", held);
        assertSame(held, d.read("a", b -> new StringBuilder("from the store")), "held: not read from the store");
        assertNull(d.read("b", b -> new StringBuilder()));
    }
}
