package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

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
}
