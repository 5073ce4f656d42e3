package io.asyncwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig.AvroSchemaIds;
import io.asyncwatch.config.AsyncwatchConfig.Format;
import io.asyncwatch.config.AsyncwatchConfig.TopicNames;
import io.asyncwatch.detect.retrystorm.RetryStormSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AsyncwatchConfigTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"asyncwatch\" password=\"s3cr=t;x\";";

    @TempDir
    Path dir;

    @Test
    void defaults() {
        AsyncwatchConfig c = AsyncwatchConfig.fromMap(Map.of());

        assertEquals(new TopicNames("asyncwatch.requests", "asyncwatch.heartbeats", "asyncwatch.clocks",
                "asyncwatch.alerts", "asyncwatch.dlq", "asyncwatch.metrics", "asyncwatch.standup"), c.topics());
        assertEquals(Format.JSON, c.inputFormat());
        assertEquals(Format.JSON, c.outputFormat());
        assertEquals(new AvroSchemaIds(1, 2, 3, 4, 5, 6, 7), c.avroSchemaIds());
        assertEquals(300_000L, c.eventTime().maxSkewMs(), "5 minutes of sender clock skew before the record time wins");
        assertEquals(30_000L, c.eventTime().graceMs());
        assertEquals(3, c.alerts().resolveAfterWindows());
        assertTrue(c.inMemoryStores(), "trace stores in memory unless asked otherwise");
        // Seed thresholds of the contract: retry multiplier WARN >= 2x, PAGE >= 5x.
        RetryStormSettings r = c.settings(RetryStormSettings.SPEC);
        assertEquals(RetryStormSettings.DEFAULTS, r);
        assertEquals(2.0, r.warnMultiplier());
        assertEquals(5.0, r.pageMultiplier());
        assertEquals(60_000L, r.windowMs());
        // The class adds no Kafka property of its own (processing.guarantee is the runner's business).
        assertEquals(Map.of(), c.kafka());
    }

    @Test
    void everyKnownKeyIsDocumentedInTheExampleConfigWithItsDefault() throws IOException {
        // The example file is written by hand for users; the known keys come from the code (core keys and every
        // registered section). A key added without documentation, or a default changed in one place, fails here.
        Map<String, String> documented = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("config", "asyncwatch.properties"), StandardCharsets.UTF_8)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^#?(asyncwatch\\.[a-z0-9.-]+)=(.*)$")
                    .matcher(line.trim());
            if (m.matches()) {
                documented.put(m.group(1), m.group(2).trim());
            }
        }
        assertEquals(new java.util.TreeSet<>(AsyncwatchConfig.defaults().keySet()),
                new java.util.TreeSet<>(documented.keySet()), "keys in config/asyncwatch.properties");
        assertEquals(AsyncwatchConfig.fromMap(Map.of()), AsyncwatchConfig.fromMap(documented),
                "the documented values are the defaults");
    }

    @Test
    void eachDetectorOwnsItsSection() {
        assertTrue(AsyncwatchConfig.defaults().containsKey("asyncwatch.duplicate-operation.horizon-ms"));
        assertEquals(600_000L, AsyncwatchConfig.fromMap(Map.of()).settings(
                io.asyncwatch.detect.duplicates.DuplicateSettings.SPEC).horizonMs(), "the seeds' 10 minutes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.fromMap(
                Map.of("asyncwatch.duplicate-operation.horizon-ms", "0")));
        assertTrue(e.getMessage().contains("duplicate-operation") && e.getMessage().contains("horizon-ms"),
                e.getMessage());
    }

    @Test
    void eventTimeBoundsThatWouldLetOneOutlierCloseWindowsEarlyAreRejected() {
        IllegalArgumentException ahead = assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.fromMap(
                Map.of("asyncwatch.event-time.max-ahead-ms", "60000")));
        assertTrue(ahead.getMessage().contains("max-ahead-ms"), ahead.getMessage());
        IllegalArgumentException idle = assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.fromMap(
                Map.of("asyncwatch.event-time.idle-ms", "30000")));
        assertTrue(idle.getMessage().contains("idle-ms"), idle.getMessage());
    }

    @Test
    void loadsAPropertiesFile() throws IOException {
        Path file = write("""
                # a comment
                asyncwatch.topic.requests = prod.requests
                asyncwatch.input.format = avro
                asyncwatch.avro.schema-id.request = 1001
                asyncwatch.event-time.grace-ms = 45000
                asyncwatch.retry-storm.warn-multiplier = 3.0
                asyncwatch.retry-storm.page-multiplier = 8
                asyncwatch.alerts.resolve-after-windows = 5
                asyncwatch.state.in-memory = FALSE
                """);

        AsyncwatchConfig c = AsyncwatchConfig.load(file, Map.of());

        assertEquals("prod.requests", c.topics().requests());
        assertEquals("asyncwatch.heartbeats", c.topics().heartbeats(), "keys absent from the file keep defaults");
        assertEquals(Format.AVRO, c.inputFormat());
        assertEquals(Format.JSON, c.outputFormat());
        assertEquals(1001, c.avroSchemaIds().request());
        assertEquals(45_000L, c.eventTime().graceMs());
        assertEquals(3.0, c.settings(RetryStormSettings.SPEC).warnMultiplier());
        assertEquals(8.0, c.settings(RetryStormSettings.SPEC).pageMultiplier());
        assertEquals(5, c.alerts().resolveAfterWindows());
        assertFalse(c.inMemoryStores());
    }

    @Test
    void environmentOverridesWinOverTheFile() throws IOException {
        Path file = write("""
                asyncwatch.retry-storm.warn-multiplier=3.0
                sasl.jaas.config=from-the-file
                sasl.mechanism=PLAIN
                """);
        Map<String, String> env = Map.of(
                "ASYNCWATCH_RETRY_STORM_WARN_MULTIPLIER", "2.5",
                "KAFKA_SASL_JAAS_CONFIG", JAAS,
                "PATH", "/usr/bin", // unrelated variables are not settings
                "HOME", "/root");

        AsyncwatchConfig c = AsyncwatchConfig.load(file, env);

        assertEquals(2.5, c.settings(RetryStormSettings.SPEC).warnMultiplier());
        assertEquals(JAAS, c.kafka().get("sasl.jaas.config"), "secrets come from the environment verbatim");
        assertEquals("PLAIN", c.kafka().get("sasl.mechanism"), "file values without an override stay");
        assertFalse(c.kafka().containsKey("path") || c.kafka().containsKey("home"));
    }

    @Test
    void environmentAloneIsEnough() {
        // Containers often have no config file at all.
        AsyncwatchConfig c = AsyncwatchConfig.load(null, Map.of(
                "ASYNCWATCH_TOPIC_DLQ", "team.dlq",
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093"));
        assertEquals("team.dlq", c.topics().dlq());
        assertEquals("broker-1:9093", c.kafka().get("bootstrap.servers"));
    }

    @Test
    void kafkaPropertiesPassThroughUntouched() throws IOException {
        Path file = write("""
                bootstrap.servers=b1:9093,b2:9093
                security.protocol=SASL_SSL
                ssl.truststore.location=/etc/kafka/secrets/kafka.truststore.jks
                ssl.truststore.type=PKCS12
                sasl.mechanism=SCRAM-SHA-512
                max.poll.records=250
                """);

        AsyncwatchConfig c = AsyncwatchConfig.load(file, Map.of());

        assertEquals(Map.of(
                "bootstrap.servers", "b1:9093,b2:9093",
                "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/etc/kafka/secrets/kafka.truststore.jks",
                "ssl.truststore.type", "PKCS12",
                "sasl.mechanism", "SCRAM-SHA-512",
                "max.poll.records", "250"), c.kafka());
    }

    @Test
    void anUnknownAsyncwatchKeyIsRejectedByName() throws IOException {
        // A typo must not silently fall back to the default threshold.
        Path file = write("asyncwatch.retry-storm.warn-multipler=3.0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncwatchConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("asyncwatch.retry-storm.warn-multipler"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '=', value = {
            "asyncwatch.retry-storm.warn-multiplier=two",
            "asyncwatch.event-time.grace-ms=30s",
            "asyncwatch.event-time.max-skew-ms=1.5",
            "asyncwatch.avro.schema-id.alert=99999999999",
            "asyncwatch.retry-storm.max-p-value=NaN",
            "asyncwatch.alerts.resolve-after-windows=",
            "asyncwatch.state.in-memory=yes",
            "asyncwatch.output.format=xml"})
    void aMalformedValueNamesItsKey(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncwatchConfig.fromMap(Map.of(key, value == null ? "" : value)));
        assertTrue(e.getMessage().contains(key), () -> "no key in: " + e.getMessage());
    }

    @Test
    void aMalformedNumberInAFileNamesTheKey() throws IOException {
        Path file = write("asyncwatch.retry-storm.page-multiplier=5x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncwatchConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("asyncwatch.retry-storm.page-multiplier"), e.getMessage());
        assertTrue(e.getMessage().contains("5x"), e.getMessage());
    }

    @Test
    void aPageMultiplierBelowTheWarnMultiplierIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.fromMap(Map.of(
                "asyncwatch.retry-storm.warn-multiplier", "4",
                "asyncwatch.retry-storm.page-multiplier", "3")));
        assertTrue(e.getMessage().contains("page multiplier") && e.getMessage().contains("warn multiplier"),
                e.getMessage());
    }

    @Test
    void anEnvironmentOverrideCanMakeTheFileInconsistent() throws IOException {
        // The check runs on the merged result: a valid file plus an override can still be rejected.
        Path file = write("asyncwatch.retry-storm.page-multiplier=3\n");
        assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.load(file,
                Map.of("ASYNCWATCH_RETRY_STORM_WARN_MULTIPLIER", "4")));
    }

    @Test
    void aMissingFileIsAnErrorNotDefaults() {
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncwatchConfig.load(missing, Map.of()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    private Path write(String content) throws IOException {
        Path file = dir.resolve("asyncwatch.properties");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aTypoInAnAsyncwatchEnvironmentVariableIsRejectedLikeInTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AsyncwatchConfig.load(null,
                Map.of("ASYNCWATCH_RETRY_STORM_WARN_MULTIPLYER", "3")));
        assertTrue(e.getMessage().contains("ASYNCWATCH_RETRY_STORM_WARN_MULTIPLYER"), e.getMessage());
        // The launcher's own variable and Kafka's launcher variables are not settings.
        AsyncwatchConfig c = AsyncwatchConfig.load(null, Map.of("ASYNCWATCH_JAVA_OPTS", "-Xmx1g",
                "KAFKA_HEAP_OPTS", "-Xmx1g", "KAFKA_BOOTSTRAP_SERVERS", "b:9092"));
        assertEquals(Map.of("bootstrap.servers", "b:9092"), c.kafka());
    }

    @Test
    void kafkaValuesKeepTrailingSpaces(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "ssl.key.password=secret  \n"
                + "asyncwatch.retry-storm.warn-multiplier=3.0  \n", StandardCharsets.UTF_8);
        AsyncwatchConfig c = AsyncwatchConfig.load(file, Map.of());
        assertEquals("secret  ", c.kafka().get("ssl.key.password"));
        assertEquals(3.0, c.settings(RetryStormSettings.SPEC).warnMultiplier());
    }
}
