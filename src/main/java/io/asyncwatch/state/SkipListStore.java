package io.asyncwatch.state;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * asyncwatch's in-memory key-value store: a sorted map whose range iterators walk the map itself. Kafka's in-memory
 * store (4.3) copies every key of a range into a new set before iterating, so finding the next deadline of a lane
 * ({@link TaskStore}) cost a copy of the whole lane, at every clock tick; here it costs a seek. The iterators are
 * weakly consistent (a key written during an iteration may or may not be seen, nothing is thrown); asyncwatch's
 * processors read a range into a list before they change the store. Restored from its changelog like Kafka's.
 */
final class SkipListStore implements KeyValueStore<Bytes, byte[]> {

    private final String name;
    private final ConcurrentSkipListMap<Bytes, byte[]> map = new ConcurrentSkipListMap<>();
    private volatile boolean open;

    SkipListStore(String name) {
        this.name = name;
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new SkipListStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        map.clear();
        context.register(root, (key, value) -> {
            if (value == null) {
                map.remove(Bytes.wrap(key));
            } else {
                map.put(Bytes.wrap(key), value);
            }
        });
        open = true;
    }

    @Override
    public byte[] get(Bytes key) {
        return map.get(key);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] existing = map.get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> e : entries) {
            put(e.key, e.value);
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        return map.remove(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return iterator(sub(from, to), false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return iterator(sub(from, to), true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return iterator(map, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return iterator(map, true);
    }

    /** Both bounds inclusive, either open when null; an inverted range is empty, as in Kafka's stores. */
    private ConcurrentNavigableMap<Bytes, byte[]> sub(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            return new ConcurrentSkipListMap<>();
        }
        if (from == null) {
            return to == null ? map : map.headMap(to, true);
        }
        return to == null ? map.tailMap(from, true) : map.subMap(from, true, to, true);
    }

    private static KeyValueIterator<Bytes, byte[]> iterator(ConcurrentNavigableMap<Bytes, byte[]> m, boolean reverse) {
        Iterator<Map.Entry<Bytes, byte[]>> it = (reverse ? m.descendingMap() : m).entrySet().iterator();
        return new KeyValueIterator<>() {
            private Map.Entry<Bytes, byte[]> next = advance();

            private Map.Entry<Bytes, byte[]> advance() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                KeyValue<Bytes, byte[]> out = KeyValue.pair(next.getKey(), next.getValue());
                next = advance();
                return out;
            }

            @Override
            public Bytes peekNextKey() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                return next.getKey();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        map.clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
        return Position.emptyPosition();
    }
}
