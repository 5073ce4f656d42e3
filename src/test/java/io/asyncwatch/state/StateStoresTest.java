package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.alert.AlertStage;
import io.asyncwatch.config.AsyncwatchConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where each kind of store keeps its data, and what its changelog is told. */
class StateStoresTest {

    @Test
    void everyChangelogRollsItsSegmentsSoThatCompactionKeepsARestoreNearTheLiveState() {
        for (StoreBuilder<?> b : List.of(StateStores.boundedTaskStore("a", StoreMode.IN_MEMORY),
                StateStores.smallTaskStore("b", StoreMode.IN_MEMORY), StateStores.taskStore("c", StoreMode.PERSISTENT),
                StateStores.taskStore("c", StoreMode.IN_MEMORY), StateStores.durableTaskStore("d", StoreMode.IN_MEMORY))) {
            assertTrue(b.loggingEnabled(), b.name());
            assertEquals("600000", b.logConfig().get("segment.ms"), b.name());
            assertEquals(String.valueOf(64 * 1024 * 1024), b.logConfig().get("segment.bytes"), b.name());
        }
        assertFalse(StateStores.boundedTaskStore("a", StoreMode.REPLAY).loggingEnabled(), "replay has no changelog");
    }

    @Test
    void onlyTheAlertEpisodesAndOnRequestTheTracesAreOnDisk() {
        assertFalse(StateStores.boundedTaskStore("a", StoreMode.PERSISTENT).build().persistent());
        assertFalse(StateStores.smallTaskStore("b", StoreMode.PERSISTENT).build().persistent());
        assertFalse(StateStores.taskStore("c", StoreMode.IN_MEMORY).build().persistent());
        assertTrue(StateStores.taskStore("c", StoreMode.PERSISTENT).build().persistent());
        assertTrue(StateStores.durableTaskStore("d", StoreMode.IN_MEMORY).build().persistent(),
                "one store on disk keeps Kafka Streams' state directory and process id across restarts");
        assertFalse(StateStores.durableTaskStore("d", StoreMode.REPLAY).build().persistent());
    }

    /**
     * Kafka Streams keeps its state directory, and the process id the transactional ids are built from, only for a
     * topology with a persistent store: without one, a restarted instance could not fence the killed one.
     */
    @Test
    void theDefaultTopologyKeepsTheAlertEpisodesOnDiskAndTheRestInMemory(@TempDir Path dir) {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stores-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(AsyncwatchTopology.build(config), props)) {
            assertTrue(driver.getKeyValueStore(AlertStage.STORE).persistent());
            assertFalse(driver.getKeyValueStore("causality-causes").persistent());
            assertFalse(driver.getKeyValueStore("cascade-timeout-traces").persistent());
        }
    }
}
