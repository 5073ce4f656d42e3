package io.asyncwatch.state;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

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
     * A time-indexed store for what many events write and few read back (one entry per event, kept for
     * {@code retention} of stream time): RocksDB drops whole expired segments, so expiry costs no per-key deletes
     * and no changelog tombstones. No record cache: keys are unique, a cache would only copy every entry once more.
     */
    public static StoreBuilder<WindowStore<Bytes, byte[]>> timeIndex(String name, Duration retention, StoreMode mode) {
        Duration slot = Duration.ofMillis(1);
        StoreBuilder<WindowStore<Bytes, byte[]>> b = Stores.windowStoreBuilder(
                        mode == StoreMode.PERSISTENT ? Stores.persistentWindowStore(name, retention, slot, false)
                                : Stores.inMemoryWindowStore(name, retention, slot, false),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
        return mode == StoreMode.REPLAY ? b.withLoggingDisabled() : b.withLoggingEnabled(java.util.Map.of());
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
