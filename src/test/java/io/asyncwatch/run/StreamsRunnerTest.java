package io.asyncwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.asyncwatch.config.AsyncwatchConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Streams properties asyncwatch runs with: its defaults, then the configuration's Kafka properties as they are. */
class StreamsRunnerTest {

    @Test
    void eachInstanceIsAStaticGroupMemberNamedByItsInstanceName() {
        Properties p = StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092", "application.id", "aw-prod", "asyncwatch.instance.name", "node-7")));
        assertEquals("aw-prod-node-7", p.getProperty("group.instance.id"),
                "restarted with the same name, an instance takes its tasks back without a session timeout");
        assertEquals("exactly_once_v2", p.getProperty("processing.guarantee"));
    }

    @Test
    void theHostNameIsTheDefaultInstanceNameAndAnExplicitGroupInstanceIdWins() {
        Properties byHost = StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092")));
        String id = byHost.getProperty("group.instance.id");
        assertEquals("asyncwatch-" + StreamsRunner.instanceName(AsyncwatchConfig.fromMap(Map.of())), id);
        assertFalse(id.endsWith("-"), id);
        Properties explicit = StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092", "group.instance.id", "mine")));
        assertEquals("mine", explicit.getProperty("group.instance.id"));
    }
}
