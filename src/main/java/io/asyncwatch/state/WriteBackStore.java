package io.asyncwatch.state;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The outermost layer of every task store: a key-value store that lets its processor write objects it keeps
 * decoded back into the store only when Kafka Streams is about to commit (before the record cache is flushed to the
 * changelog, and again before the checkpoint). A processor that updates the same entry for every event (a partial
 * aggregate, a trace being gathered) then encodes it once per commit instead of once per event, and nothing is lost:
 * what it holds is in the store, the changelog and the transaction by the time the input offsets are committed.
 */
public final class WriteBackStore extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
        implements KeyValueStore<Bytes, byte[]> {

    private Runnable beforeCommit;
    private Object attachment;

    WriteBackStore(KeyValueStore<Bytes, byte[]> inner) {
        super(inner);
    }

    /** Runs {@code hook} before every commit of this store; a processor sets it in its init (one per task). */
    public void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    /**
     * The one object the processors of this store's task share through it (a decoded index they all read): created
     * on first use, dropped when the store is closed or initialised again, so it never outlives what the store holds
     * (a revived task rebuilds it from the restored store).
     */
    public <T> T attachment(Class<T> type, java.util.function.Supplier<T> create) {
        if (attachment == null) {
            attachment = create.get();
        }
        return type.cast(attachment);
    }

    /**
     * Drops the attachment: a processor sharing it calls this from its close, which also runs when Kafka Streams
     * recycles the task between active and standby without closing the store (the store then changes under it).
     */
    public void detach() {
        attachment = null;
    }

    @Override
    public void init(org.apache.kafka.streams.processor.StateStoreContext context, StateStore root) {
        attachment = null;
        super.init(context, root);
    }

    /** The write-back layer under what {@code context.getStateStore} returned (it wraps stores in decorators). */
    public static WriteBackStore of(StateStore store) {
        StateStore s = store;
        while (!(s instanceof WriteBackStore)) {
            if (!(s instanceof WrappedStateStore<?, ?, ?> w)) {
                throw new IllegalStateException("store " + store.name() + " was not built by StateStores");
            }
            s = w.wrapped();
        }
        return (WriteBackStore) s;
    }

    private void writeBack() {
        if (beforeCommit != null) {
            beforeCommit.run();
        }
    }

    @Override
    public void flushCache() {
        writeBack();
        super.flushCache();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeBack();
        super.commit(changelogOffsets);
    }

    @Override
    public void close() {
        beforeCommit = null;
        attachment = null;
        super.close();
    }

    @Override
    public void put(Bytes key, byte[] value) {
        wrapped().put(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        return wrapped().putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        wrapped().putAll(entries);
    }

    @Override
    public byte[] delete(Bytes key) {
        return wrapped().delete(key);
    }

    @Override
    public byte[] get(Bytes key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Builds the inner store as configured and puts this layer around it. */
    static StoreBuilder<KeyValueStore<Bytes, byte[]>> around(StoreBuilder<KeyValueStore<Bytes, byte[]>> inner) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
                inner.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
                inner.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> build() {
                return new WriteBackStore(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }
}
