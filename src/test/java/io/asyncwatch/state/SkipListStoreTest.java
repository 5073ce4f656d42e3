package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/** The in-memory store: ranges as Kafka's stores give them (unsigned byte order, inclusive bounds), without copies. */
class SkipListStoreTest {

    private static Bytes key(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return Bytes.wrap(out);
    }

    private static List<Bytes> keys(KeyValueIterator<Bytes, byte[]> it) {
        List<Bytes> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next().key);
        }
        it.close();
        return out;
    }

    @Test
    void rangesAreInUnsignedByteOrderWithBothBoundsIncludedAndAnInvertedRangeIsEmpty() {
        SkipListStore s = new SkipListStore("s");
        for (Bytes k : List.of(key(2, 0xFF), key(1), key(0x80), key(2), key(2, 1))) {
            s.put(k, new byte[] {1});
        }
        assertEquals(List.of(key(1), key(2), key(2, 1), key(2, 0xFF), key(0x80)), keys(s.all()),
                "0x80 sorts after 0x02: bytes compare unsigned, as RocksDB orders them");
        assertEquals(List.of(key(2), key(2, 1), key(2, 0xFF)), keys(s.range(key(2), key(2, 0xFF))));
        assertEquals(List.of(key(2, 0xFF), key(2, 1), key(2)), keys(s.reverseRange(key(2), key(2, 0xFF))));
        assertEquals(List.of(), keys(s.range(key(3), key(2))));
        assertEquals(List.of(key(1), key(2)), keys(s.range(null, key(2))));
        assertEquals(5, s.approximateNumEntries());
    }

    @Test
    void aNullValueDeletesAndChangingTheStoreDuringAnIterationDoesNotThrow() {
        SkipListStore s = new SkipListStore("s");
        s.put(key(1), new byte[] {1});
        s.put(key(2), new byte[] {2});
        s.put(key(3), new byte[] {3});
        assertNull(s.putIfAbsent(key(4), new byte[] {4}));
        assertArrayEquals(new byte[] {4}, s.putIfAbsent(key(4), new byte[] {9}), "an existing value is kept");
        s.put(key(4), null);
        assertNull(s.get(key(4)));

        KeyValueIterator<Bytes, byte[]> it = s.range(key(1), key(3));
        KeyValue<Bytes, byte[]> first = it.next();
        assertEquals(key(2), it.peekNextKey(), "the iterator has already read one entry ahead");
        s.delete(key(3));
        List<Bytes> rest = keys(it);
        assertEquals(key(1), first.key);
        assertEquals(key(2), rest.get(0), "weakly consistent: the deleted key may still be seen, nothing throws");
        assertEquals(true, List.of(key(2), key(3)).containsAll(rest));
        assertArrayEquals(new byte[] {2}, s.delete(key(2)));
    }
}
