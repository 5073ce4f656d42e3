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

/** Decoded entries reach the store at every commit; with {@code retain}, the ones used last stay decoded. */
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
    void withoutRetainNothingStaysDecodedAfterACommit() {
        TaskStore store = store();
        DecodedEntries<StringBuilder> d = new DecodedEntries<>(store, DecodedEntriesTest::bytes);
        d.changed("a", new StringBuilder("1"));
        assertNull(store.get("a"), "written back at the commit, not before");
        commit();
        assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), store.get("a"));
        assertNull(d.get("a"));
    }

    @Test
    void theEntriesUsedLastStayDecodedAndWhatChangesIsStillWrittenAtEveryCommit() {
        TaskStore store = store();
        DecodedEntries<StringBuilder> d = new DecodedEntries<>(store, DecodedEntriesTest::bytes, 2);
        StringBuilder a = new StringBuilder("a1");
        StringBuilder b = new StringBuilder("b1");
        StringBuilder c = new StringBuilder("c1");
        d.changed("a", a);
        d.changed("b", b);
        d.changed("c", c);
        d.get("a"); // used last: b is now the least recently used
        commit();
        for (String k : new String[] {"a", "b", "c"}) {
            assertEquals(k + "1", new String(store.get(k), StandardCharsets.UTF_8));
        }
        assertSame(a, d.get("a"));
        assertSame(c, d.get("c"));
        assertNull(d.get("b"), "beyond the 2 retained, the least recently used is let go (it is in the store)");

        a.append("+");
        d.changed("a", a);
        commit();
        assertEquals("a1+", new String(store.get("a"), StandardCharsets.UTF_8));

        d.forget("c");
        store.delete("c");
        commit();
        assertNull(d.get("c"));
        assertNull(store.get("c"), "a forgotten entry is not written back");
    }
}
