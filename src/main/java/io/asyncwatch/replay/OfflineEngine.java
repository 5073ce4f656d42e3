package io.asyncwatch.replay;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.errors.ContainedErrors;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.time.Watermarks;
import io.asyncwatch.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology run offline, with Kafka Streams' own {@link TopologyTestDriver} as the engine: no
 * broker, records processed synchronously in the order given. What {@code replay} and the full-topology tests
 * run, so both exercise exactly what the live application does.
 *
 * <p>The wall clock is read off the records' own timestamps (when each was appended, see {@link RecordWall}):
 * wall-clock mechanisms (idle partitions, flushes of partial counts) act as they did live. It moves forward only,
 * in steps of at least {@link #WALL_STEP_MS} (each step is a punctuation round). {@link #silence()} plays the end
 * of a recording as what it is: producers that stopped, with enough time passing for every window and episode to
 * close.
 */
public final class OfflineEngine implements AutoCloseable {

    static final long WALL_STEP_MS = 1_000;
    private static final int SILENCE_STEPS = 4;

    private final AsyncwatchConfig config;
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, byte[]>> inputs = new TreeMap<>();
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<String, DeadLetter> deadLetters;
    private final TestOutputTopic<String, Metric> metrics;
    private final Map<String, TestOutputTopic<byte[], byte[]>> drains = new TreeMap<>();
    private final Map<String, TestOutputTopic<String, ?>> outputs = new TreeMap<>();
    private final Topics topics;
    private long wall = Long.MIN_VALUE;
    private final RecordWall recordWall = new RecordWall();

    public OfflineEngine(AsyncwatchConfig config) {
        this(config, AsyncwatchTopology.build(config.withReplayStores()));
    }

    /** Runs {@code topology} (built from {@code config}) instead of the whole application: a detector alone, say. */
    public OfflineEngine(AsyncwatchConfig config, org.apache.kafka.streams.Topology topology) {
        this.config = config.withInMemoryStores(true);
        this.topics = Topics.from(this.config);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-replay");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // The driver commits after every record, so a record cache would only add a flush per record.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.putAll(ContainedErrors.properties(this.config));
        // As live (StreamsRunner): the driver hands each record over whole, nothing to wait for; the default builds a
        // log line per record for tasks with several inputs.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // The test driver runs every topic as one partition: one upstream task per re-keyed stage.
        props.put(Watermarks.EXPECTED_SOURCES, "1");
        driver = new TopologyTestDriver(topology, props, Instant.EPOCH);
        for (String name : List.of(topics.requests().name(), topics.heartbeats().name(), topics.clocks().name())) {
            inputs.put(name, driver.createInputTopic(name, new StringSerializer(), new ByteArraySerializer()));
        }
        alerts = driver.createOutputTopic(topics.alerts().name(), new StringDeserializer(),
                topics.alerts().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.dlq().name(), new StringDeserializer(),
                topics.dlq().valueSerde().deserializer());
        metrics = driver.createOutputTopic(topics.metrics().name(), new StringDeserializer(),
                topics.metrics().valueSerde().deserializer());
    }

    public AsyncwatchConfig config() {
        return config;
    }

    /** Appends one record to an input topic (logical or full name) at {@code recordTimestamp}, and processes it. */
    public void pipe(String topic, String key, byte[] value, long recordTimestamp) {
        String full = Recording.resolveTopic(topic, config.topics());
        advanceWallTo(recordWall.offer(full, recordTimestamp));
        inputs.get(full).pipeInput(key, value, recordTimestamp);
    }

    /** Moves the wall clock to {@code time} (never backwards) and lets every punctuation due by then run. */
    public void advanceWallTo(long time) {
        if (wall == Long.MIN_VALUE) {
            wall = time;
            driver.advanceWallClockTime(Duration.ofMillis(Math.max(0, time)));
        } else if (time - wall >= WALL_STEP_MS) {
            // One flush interval first: what the producers sent before the gap is flushed and delivered before
            // any task may count the gap as silence (live, flushes run every second, long before idle-ms).
            driver.advanceWallClockTime(Duration.ofMillis(WALL_STEP_MS));
            if (time - wall > WALL_STEP_MS) {
                driver.advanceWallClockTime(Duration.ofMillis(time - wall - WALL_STEP_MS));
            }
            wall = time;
        }
    }

    /** The end of the input: silence long enough for everything to settle, as live once producers stop. */
    public void silence() {
        if (wall == Long.MIN_VALUE) {
            return;
        }
        long settle = AsyncwatchTopology.settleMs(config) + config.eventTime().idleMs() + WALL_STEP_MS;
        for (int i = 0; i < SILENCE_STEPS; i++) {
            advanceWallTo(wall + settle);
        }
    }

    public List<Alert> readAlerts() {
        return alerts.readValuesToList();
    }

    public List<DeadLetter> readDeadLetters() {
        return deadLetters.readValuesToList();
    }

    /** Everything written to {@code topic} since the last read. */
    @SuppressWarnings("unchecked")
    public <V> List<org.apache.kafka.streams.test.TestRecord<String, V>> read(String topic,
            org.apache.kafka.common.serialization.Deserializer<V> values) {
        TestOutputTopic<String, V> out = (TestOutputTopic<String, V>) (TestOutputTopic<String, ?>) outputs
                .computeIfAbsent(topic, t -> driver.createOutputTopic(t, new StringDeserializer(), values));
        return out.readRecordsToList();
    }

    /** Dead letters with their record keys (the DLQ keeps the original key). */
    public List<org.apache.kafka.streams.test.TestRecord<String, DeadLetter>> readDeadLetterRecords() {
        return deadLetters.readRecordsToList();
    }

    public List<Metric> readMetrics() {
        return metrics.readValuesToList();
    }

    /** Standup summaries published since the last read. */
    public List<StandupSummary> readStandups() {
        return read(topics.standup().name(), topics.standup().valueSerde().deserializer()).stream()
                .map(org.apache.kafka.streams.test.TestRecord::value).toList();
    }

    /**
     * The driver keeps every record written to any topic, internal ones included, until it is read: without this
     * a long recording holds its repartitioned copies in memory to the end. Metrics are dropped too (read them
     * first to keep them); alerts, dead letters and standup summaries are kept until read.
     */
    public void drainInternal() {
        for (String topic : driver.producedTopicNames()) {
            if (topic.equals(topics.alerts().name()) || topic.equals(topics.dlq().name())
                    || topic.equals(topics.standup().name())) {
                continue;
            }
            drains.computeIfAbsent(topic, t -> driver.createOutputTopic(t, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())).readRecordsToList();
        }
    }

    @Override
    public void close() {
        driver.close();
    }
}
