package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

/** Every RocksDB store of the process under one memory budget, handed over in the Streams properties. */
class BoundedRocksDbTest {

    @Test
    void storesShareTheBudgetsCacheAndKeepIndexAndFilterBlocksInIt() {
        try (BoundedRocksDb.Budget budget = new BoundedRocksDb.Budget(64L << 20);
             Options a = new Options().setTableFormatConfig(new BlockBasedTableConfig());
             Options b = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            BoundedRocksDb setter = new BoundedRocksDb();
            setter.setConfig("requests-clock", a, Map.of(BoundedRocksDb.BUDGET, budget));
            setter.setConfig("alert-episodes", b, Map.of(BoundedRocksDb.BUDGET, budget));
            BlockBasedTableConfig ta = (BlockBasedTableConfig) a.tableFormatConfig();
            BlockBasedTableConfig tb = (BlockBasedTableConfig) b.tableFormatConfig();
            assertTrue(ta.cacheIndexAndFilterBlocks(), "index and filter blocks count against the budget");
            assertTrue(tb.cacheIndexAndFilterBlocks());
        }
    }

    @Test
    void withoutABudgetStoresKeepRocksDbsDefaults() {
        try (Options o = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            new BoundedRocksDb().setConfig("requests-clock", o, Map.of());
            assertFalse(((BlockBasedTableConfig) o.tableFormatConfig()).cacheIndexAndFilterBlocks());
        }
    }

    @Test
    void theRunnerSetsTheBudgetUnlessStoresAreInMemoryOrASetterIsConfigured() {
        assertNull(StreamsRunner.boundRocksDb(new Properties(), AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092"))), "by default every store is in memory: no RocksDB to budget");
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of("bootstrap.servers", "b:9092",
                "asyncwatch.state.rocksdb-memory-mb", "64", "asyncwatch.state.in-memory", "false"));
        Properties props = StreamsRunner.streamsProperties(config);
        try (BoundedRocksDb.Budget budget = StreamsRunner.boundRocksDb(props, config)) {
            assertSame(budget, props.get(BoundedRocksDb.BUDGET));
            assertEquals(BoundedRocksDb.class.getName(), props.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        }
        assertNull(StreamsRunner.boundRocksDb(StreamsRunner.streamsProperties(config.withInMemoryStores(true)),
                config.withInMemoryStores(true)));
        Properties own = StreamsRunner.streamsProperties(config);
        own.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.Mine");
        assertNull(StreamsRunner.boundRocksDb(own, config));
    }
}
