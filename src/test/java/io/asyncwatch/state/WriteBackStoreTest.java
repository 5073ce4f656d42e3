package io.asyncwatch.state;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.OfflineEngine;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.Requests;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Pending partial counts are kept decoded between commits: they must still reach the store and its changelog at
 * every commit (the test driver commits after each record), before the one-second flush that forwards them.
 */
class WriteBackStoreTest {

    private static final String CHANGELOG = "asyncwatch-replay-call-windows-partials-changelog";
    private static final String FLUSHED = "asyncwatch-replay-call-windows-by-service-repartition";

    @Test
    void whatAProcessorKeepsDecodedIsInTheChangelogByTheCommit() {
        Requests r = new Requests();
        // Changelogged in-memory stores, as live with asyncwatch.state.in-memory (replay's stores have no changelog).
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of()).withInMemoryStores(true);
        try (OfflineEngine engine = new OfflineEngine(config, AsyncwatchTopology.build(config))) {
            // 30 events within 300 ms: the partition's clock starts (20 events), no flush is due yet.
            for (int i = 0; i < 30; i++) {
                RequestEvent e = r.attempt("svc-a", "service", Requests.T0 + i * 10, 1);
                engine.pipe("requests", e.service(), Json.write(e), e.timestamp());
            }
            List<TestRecord<String, byte[]>> partials = engine.read(FLUSHED, new ByteArrayDeserializer());
            assertTrue(partials.stream().noneMatch(p -> p.key() != null && p.key().equals("svc-a")),
                    "nothing flushed yet: " + partials.size());
            List<TestRecord<String, byte[]>> written = engine.read(CHANGELOG, new ByteArrayDeserializer()).stream()
                    .filter(x -> x.key().contains("|svc-a|")).toList();
            assertTrue(!written.isEmpty(), "the pending entry was written back at a commit");
            assertTrue(written.get(written.size() - 1).value() != null);

            engine.advanceWallTo(Requests.T0 + 5_000);
            List<TestRecord<String, byte[]>> after = engine.read(CHANGELOG, new ByteArrayDeserializer()).stream()
                    .filter(x -> x.key().contains("|svc-a|")).toList();
            assertTrue(!after.isEmpty());
            assertNull(after.get(after.size() - 1).value(), "flushed, then deleted");
            assertTrue(engine.read(FLUSHED, new ByteArrayDeserializer()).stream()
                    .anyMatch(p -> "svc-a".equals(p.key())), "the partial went on to the service's task");
        }
    }
}
