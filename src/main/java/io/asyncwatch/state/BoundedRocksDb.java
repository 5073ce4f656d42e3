package io.asyncwatch.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * One off-heap memory budget for every RocksDB store of the process: a shared block cache that also holds index and
 * filter blocks, and memtables charged to that cache. Without it each store (dozens: one per task and stage) takes
 * its own 50 MiB cache and up to three 16 MiB memtables, and the process's resident memory grows with the number of
 * tasks under load. The budget object is handed over in the Streams properties ({@link #BUDGET}), so nothing is
 * static; without one, stores keep RocksDB's defaults.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** Streams property holding the {@link Budget} of the process. */
    public static final String BUDGET = "asyncwatch.runtime.rocksdb-budget";

    /** The shared cache and write buffer manager; close after the Streams client. */
    public static final class Budget implements AutoCloseable {
        private final Cache cache;
        private final WriteBufferManager writeBuffers;

        /** @param bytes the whole budget; memtables may take up to half of it */
        public Budget(long bytes) {
            // Kafka Streams loads the native library only when it opens a store; the cache comes first.
            RocksDB.loadLibrary();
            // High-priority pool for index and filter blocks, so data blocks do not evict them.
            this.cache = new LRUCache(bytes, -1, false, 0.1);
            this.writeBuffers = new WriteBufferManager(bytes / 2, cache);
        }

        @Override
        public void close() {
            writeBuffers.close();
            cache.close();
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        if (!(configs.get(BUDGET) instanceof Budget budget)) {
            return;
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(budget.cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(budget.writeBuffers);
    }

    @Override
    public void close(String storeName, Options options) {
        // The budget is shared: closed once, by its owner, after the Streams client.
    }
}
