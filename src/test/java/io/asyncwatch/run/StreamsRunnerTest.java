package io.asyncwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void streamsRetriesTopicCreationQuicklyWhileTheOtherClientsKeepTheirOwnBackoff() {
        StreamsConfig byDefault = new StreamsConfig(StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092"))));
        assertEquals(StreamsRunner.STREAMS_RETRY_BACKOFF_MS, byDefault.getLong("retry.backoff.ms"));
        assertEquals(String.valueOf(StreamsRunner.STREAMS_RETRY_BACKOFF_MS),
                String.valueOf(byDefault.getMainConsumerConfigs("g", "c", 0).get("retry.backoff.ms")),
                "Streams' internal topic manager reads the main consumer's value");
        assertEquals("100", String.valueOf(byDefault.getRestoreConsumerConfigs("c").get("retry.backoff.ms")));
        assertEquals("100", String.valueOf(byDefault.getProducerConfigs("c").get("retry.backoff.ms")));
        assertEquals("100", String.valueOf(byDefault.getAdminConfigs("c").get("retry.backoff.ms")));

        Properties chosen = StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092", "retry.backoff.ms", "250")));
        StreamsConfig own = new StreamsConfig(chosen);
        assertEquals(250L, own.getLong("retry.backoff.ms"), "the operator's value is used as is");
        assertEquals("250", String.valueOf(own.getMainConsumerConfigs("g", "c", 0).get("retry.backoff.ms")));
        assertEquals("250", String.valueOf(own.getProducerConfigs("c").get("retry.backoff.ms")));
    }

    @Test
    void theRestoreConsumerDoesNotWaitHalfASecondOnCaughtUpChangelogsUnlessConfigured() {
        StreamsConfig byDefault = new StreamsConfig(StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092"))));
        assertEquals(String.valueOf(StreamsRunner.RESTORE_FETCH_MAX_WAIT_MS),
                String.valueOf(byDefault.getRestoreConsumerConfigs("c").get("fetch.max.wait.ms")));
        assertEquals(null, byDefault.getMainConsumerConfigs("g", "c", 0).get("fetch.max.wait.ms"),
                "the main consumer keeps Kafka's default");

        StreamsConfig own = new StreamsConfig(StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of(
                "bootstrap.servers", "b:9092", "restore.consumer.fetch.max.wait.ms", "300"))));
        assertEquals("300", String.valueOf(own.getRestoreConsumerConfigs("c").get("fetch.max.wait.ms")));
        for (String key : List.of("fetch.max.wait.ms", "consumer.fetch.max.wait.ms")) {
            StreamsConfig general = new StreamsConfig(StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(
                    Map.of("bootstrap.servers", "b:9092", key, "250"))));
            assertEquals("250", String.valueOf(general.getRestoreConsumerConfigs("c").get("fetch.max.wait.ms")),
                    key + " configured for every consumer applies to the restore consumer too");
        }
    }

    /** A state dir with two tasks' stores and the process id; {@code killed}: the run's marker was left behind. */
    private static Path stateOfARun(Path stateDir, boolean killed) throws IOException {
        Path app = stateDir.resolve("aw");
        Files.createDirectories(app.resolve("0_1/rocksdb/requests-clock"));
        Files.writeString(app.resolve("0_1/rocksdb/requests-clock/000001.sst"), "data");
        Files.createDirectories(app.resolve("3_2/rocksdb/retry-storm-windows"));
        Files.writeString(app.resolve("3_2/rocksdb/retry-storm-windows/000001.sst"), "data");
        Files.writeString(app.resolve("kafka-streams-process-metadata"), "process id");
        if (killed) {
            Files.writeString(app.resolve(StreamsRunner.RUNNING_MARKER), "running");
        }
        return app;
    }

    private static Properties props(Path stateDir, String guarantee) {
        return StreamsRunner.streamsProperties(AsyncwatchConfig.fromMap(Map.of("bootstrap.servers", "b:9092",
                "application.id", "aw", "state.dir", stateDir.toString(), "processing.guarantee", guarantee)));
    }

    @Test
    void underExactlyOnceTheStateOfAKilledRunIsWipedBeforeStartButNotItsProcessId(@TempDir Path dir)
            throws IOException {
        Path app = stateOfARun(dir, true);
        assertEquals(2, StreamsRunner.wipeUncleanTaskState(props(dir, "exactly_once_v2")));
        assertFalse(Files.exists(app.resolve("0_1")), "may hold uncommitted writes");
        assertFalse(Files.exists(app.resolve("3_2")));
        assertTrue(Files.exists(app.resolve("kafka-streams-process-metadata")),
                "the process id keeps the transactional ids, so the killed instance's transactions are fenced");
        assertTrue(Files.exists(app.resolve(StreamsRunner.RUNNING_MARKER)), "this run is marked in turn");
    }

    @Test
    void afterACleanStopTheStateIsKept(@TempDir Path dir) throws IOException {
        Properties props = props(dir, "exactly_once_v2");
        Path app = stateOfARun(dir, true);
        StreamsRunner.markCleanStop(props);
        assertEquals(0, StreamsRunner.wipeUncleanTaskState(props));
        assertTrue(Files.exists(app.resolve("0_1/rocksdb/requests-clock/000001.sst")));
        assertTrue(Files.exists(app.resolve("3_2/rocksdb/retry-storm-windows/000001.sst")));
    }

    @Test
    void nothingIsWipedUnderAtLeastOnceOrWhileTheDirectoryIsLocked(@TempDir Path dir) throws IOException {
        Path app = stateOfARun(dir, true);
        assertEquals(0, StreamsRunner.wipeUncleanTaskState(props(dir, "at_least_once")));
        // Held in this JVM here (the same lock file Kafka Streams takes); another process's lock is refused alike.
        try (FileChannel channel = FileChannel.open(app.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            assertEquals(0, StreamsRunner.wipeUncleanTaskState(props(dir, "exactly_once_v2")));
        }
        assertTrue(Files.exists(app.resolve("0_1/rocksdb/requests-clock/000001.sst")));
    }
}
