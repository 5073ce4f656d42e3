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
 * layer for processors that keep hot entries decoded between commits. State that grows with the traffic (traces,
 * entities, chunks of causes, writes and intents, alert episodes) goes to {@link #taskStore}; state that its owner's
 * caps keep small (clocks, partial counts until the next flush, open windows, per-node readings) to
 * {@link #boundedTaskStore}, in memory: a RocksDB instance per store and task costs start-up time (opening it) and
 * a native call per read and write, for data that fits in a few megabytes.
 */
public final class StateStores {

    private StateStores() {
    }

    /**
     * A {@link TaskStore} in memory with record caching off, changelogged like any other (not in replay): for an
     * index read on the hot path (a lookup per event) or chunks written once, where no key is hot and a cache of
     * many distinct keys would only cost ordered-map work per write. Bounded by its owner's caps.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> smallTaskStore(String name, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(java.util.Map.of()));
    }

    /**
     * A {@link TaskStore} for state its owner's caps keep small: in memory whatever the mode, record caching on (so
     * the changelog gets a hot key once per commit), changelogged like any other (not in replay), so a restart
     * restores it from its compacted changelog.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> boundedTaskStore(String name, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(java.util.Map.of()));
    }

    /** A {@link TaskStore} for state that grows with the traffic: RocksDB unless {@link StoreMode#IN_MEMORY}. */
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
