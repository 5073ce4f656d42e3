package io.asyncwatch.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internal topic and store names derive from node names; renaming a node silently orphans changelogs and
 * repartition topics of running deployments. The committed description makes every such change visible in review.
 */
class TopologySnapshotTest {

    private static final Path SNAPSHOT = Path.of("topology", "topology.txt");

    private static String describe(AsyncwatchConfig config) {
        return AsyncwatchTopology.build(config).describe().toString();
    }

    @Test
    void topologyMatchesTheCommittedSnapshot() throws IOException {
        String actual = describe(AsyncwatchConfig.fromMap(Map.of()));
        String expected = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        assertEquals(expected.strip(), actual.strip(), "the topology changed; if intended, update the snapshot with "
                + "`./asyncwatch describe > topology/topology.txt` and review the internal topic names it implies");
    }

    @Test
    void everyNodeAndStoreIsNamed() {
        String description = describe(AsyncwatchConfig.fromMap(Map.of()));
        Matcher generated = Pattern.compile("(KSTREAM|KTABLE|KSTREAM-\\w+)-\\d{10}").matcher(description);
        assertFalse(generated.find(), "generated name " + (generated.find(0) ? generated.group() : "") + " in\n"
                + description);
        assertFalse(description.contains("STATE-STORE-"), "unnamed state store in\n" + description);
    }

    @Test
    void buildIsPureAndRepeatable(@TempDir Path tmp) throws IOException {
        // state.dir does not exist yet: creating it or anything in it shows up as an entry of tmp.
        Map<String, String> values = Map.of("bootstrap.servers", "b:9092",
                "state.dir", tmp.resolve("state").toString());
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(values);

        Set<Thread> before = Thread.getAllStackTraces().keySet();
        String first = describe(config);
        // describe, replay and the tests build topologies they never run: a thread or a file would leak from each.
        List<String> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).toList();
        assertEquals(List.of(), started, "build started threads");
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList(), "build created its state.dir");
        }

        // A different build in between catches static state (a counter, a cache) carried from one build to the next.
        String other = describe(AsyncwatchConfig.fromMap(Map.of("asyncwatch.topic.alerts", "other.alerts")));
        assertNotEquals(first, other, "the alerts topic is part of the description");
        assertEquals(first, describe(AsyncwatchConfig.fromMap(values)), "equal configs, equal topologies");
        assertEquals(AsyncwatchConfig.fromMap(values), config, "build must not change its input");
    }
}
