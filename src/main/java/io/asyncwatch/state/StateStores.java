package io.asyncwatch.state;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one way asyncwatch creates state stores: a {@link TaskStore} layout (binary keys, binary values), changelogged,
 * in memory, outermost a {@link WriteBackStore} layer for processors that keep hot entries decoded between commits.
 * Every store is bounded by its owner's caps ({@link #boundedTaskStore}, {@link #smallTaskStore}), except the two
 * trace stores, whose size follows the traced traffic of the last minute ({@link #taskStore}):
 * {@code asyncwatch.state.in-memory=false} puts those on RocksDB; and the alert episodes, remembered for days, which
 * stay on RocksDB ({@link #durableTaskStore}). The rest is in memory because a RocksDB instance per store and task
 * cost start-up time (opening about a hundred of them) and a native call per cache miss and commit write, for state
 * of a few hundred megabytes at most, much of it kept decoded in the heap anyway (the cause, write and intent books).
 */
public final class StateStores {

    /**
     * Changelog topic settings: in-memory stores are restored from the start of their changelogs at every start, and
     * compaction never touches a log's active segment (by default up to 1 GiB or 7 days), so segments roll every
     * 10 minutes or 64 MiB; a restore then reads about the live state, not the changelog's whole history. They
     * apply to changelogs Kafka Streams creates; existing ones keep theirs (see README, Upgrading).
     */
    static final java.util.Map<String, String> CHANGELOG = java.util.Map.of(
            "segment.ms", "600000", "segment.bytes", String.valueOf(64 * 1024 * 1024));

    private StateStores() {
    }

    /**
     * A {@link TaskStore} in memory with record caching off, changelogged like any other (not in replay): for an
     * index read on the hot path (a lookup per event) or chunks written once, where no key is hot and a cache of
     * many distinct keys would only cost ordered-map work per write. Bounded by its owner's caps.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> smallTaskStore(String name, StoreMode mode) {
        return build(SkipListStore.supplier(name), false, mode);
    }

    /**
     * A {@link TaskStore} for state its owner's caps keep small: in memory whatever the mode, record caching on (so
     * the changelog gets a hot key once per commit), changelogged like any other (not in replay), so a restart
     * restores it from its compacted changelog.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> boundedTaskStore(String name, StoreMode mode) {
        return build(SkipListStore.supplier(name), true, mode);
    }

    /**
     * A {@link TaskStore} on RocksDB in every mode but replay: the alert episodes, remembered for days. It is also
     * what keeps Kafka Streams' state directory, and with it the process id, across restarts when every other store
     * is in memory: the transactional ids are built from that id, so a restarted instance fences the killed one's
     * open transactions at once instead of waiting for them to time out (10 s) before reading on.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> durableTaskStore(String name, StoreMode mode) {
        return build(mode == StoreMode.REPLAY ? SkipListStore.supplier(name) : Stores.persistentKeyValueStore(name),
                true, mode);
    }

    /** A {@link TaskStore} for the traces, which grow with the traffic: RocksDB in {@link StoreMode#PERSISTENT}. */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> taskStore(String name, StoreMode mode) {
        return build(mode == StoreMode.PERSISTENT ? Stores.persistentKeyValueStore(name)
                : SkipListStore.supplier(name), true, mode);
    }

    /**
     * An empty store, never written, neither changelogged nor cached: Kafka Streams flushes every store of a task
     * before it commits the task's input, and a processor that holds records until then (to send them in batches)
     * sends them from this store's {@link WriteBackStore#beforeCommit} hook. Its processor holds nothing across a
     * commit, so there is nothing to restore.
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> commitHookStore(String name) {
        return WriteBackStore.around(bytes(SkipListStore.supplier(name)).withCachingDisabled().withLoggingDisabled());
    }

    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> bytes(KeyValueBytesStoreSupplier supplier) {
        return Stores.keyValueStoreBuilder(supplier, Serdes.Bytes(), Serdes.ByteArray());
    }

    /** Binary keys and values, changelogged (not in replay), the write-back layer outermost. */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> build(KeyValueBytesStoreSupplier supplier,
                                                                   boolean caching, StoreMode mode) {
        StoreBuilder<KeyValueStore<Bytes, byte[]>> inner = bytes(supplier);
        inner = caching ? inner.withCachingEnabled() : inner.withCachingDisabled();
        return WriteBackStore.around(mode == StoreMode.REPLAY ? inner.withLoggingDisabled()
                : inner.withLoggingEnabled(CHANGELOG));
    }
}
