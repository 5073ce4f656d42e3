package io.asyncwatch.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
    void buildIsPureAndRepeatable() {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of("bootstrap.servers", "b:9092"));
        AsyncwatchConfig copy = AsyncwatchConfig.fromMap(Map.of("bootstrap.servers", "b:9092"));
        assertEquals(describe(config), describe(config));
        assertEquals(copy, config, "build must not change its input");
    }
}
