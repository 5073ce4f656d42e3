package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import java.util.List;
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
    void theRunnerSetsTheBudgetUnlessASetterIsConfigured() {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of("bootstrap.servers", "b:9092",
                "asyncwatch.state.rocksdb-memory-mb", "64"));
        for (AsyncwatchConfig c : List.of(config, config.withInMemoryStores(false))) {
            Properties props = StreamsRunner.streamsProperties(c);
            try (BoundedRocksDb.Budget budget = StreamsRunner.boundRocksDb(props, c)) {
                assertSame(budget, props.get(BoundedRocksDb.BUDGET), "the alert episodes are on RocksDB either way");
                assertEquals(BoundedRocksDb.class.getName(),
                        props.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
            }
        }
        Properties own = StreamsRunner.streamsProperties(config);
        own.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.Mine");
        assertNull(StreamsRunner.boundRocksDb(own, config));
    }
}
