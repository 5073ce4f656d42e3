package io.asyncwatch.state;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one way asyncwatch creates state stores: a {@link TaskStore} layout (binary keys, binary values), record
 * caching on (reads and writes of a hot key stay in memory and reach RocksDB and the changelog once per commit),
 * changelogged, persistent unless {@code asyncwatch.state.in-memory} is set; outermost, a {@link WriteBackStore}
 * layer for processors that keep hot entries decoded between commits.
 */
public final class StateStores {

    private StateStores() {
    }

    /**
     * A {@link TaskStore} for small state that is read on the hot path (a lookup per event): always in memory,
     * bounded by its owner's caps, changelogged like any other (not in replay).
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> smallTaskStore(String name, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(java.util.Map.of()));
    }

    /**
     * A {@link TaskStore} for an index whose keys are written once and read rarely (one per event): record caching
     * off, since no key is hot and a cache of many distinct keys only costs ordered-map work per write.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> indexStore(String name, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                        mode == StoreMode.PERSISTENT ? Stores.persistentKeyValueStore(name)
                                : Stores.inMemoryKeyValueStore(name),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(java.util.Map.of()));
    }

    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> taskStore(String name, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                        mode == StoreMode.PERSISTENT ? Stores.persistentKeyValueStore(name)
                                : Stores.inMemoryKeyValueStore(name),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(java.util.Map.of()));
    }
}
