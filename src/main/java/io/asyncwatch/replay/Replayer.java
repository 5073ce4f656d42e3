package io.asyncwatch.replay;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
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
 * Runs a recording through the production topology offline, with no broker: Kafka Streams' own
 * {@link TopologyTestDriver} executes the very graph {@link AsyncwatchTopology#build} returns, in recording order,
 * synchronously. Everything the topology does is a function of the input (event time, not wall time), so the
 * same recording always yields byte-identical alerts.
 */
public final class Replayer {

    /** What a replay did, for the summary on stderr. */
    public record Summary(long lines, long records, long alerts, long deadLetters, List<String> skippedLines,
                          Map<String, Long> deadLetterReasons) {
    }

    private static final int MAX_SKIPPED_REPORTED = 20;
    private static final int DRAIN_EVERY = 1_000;

    private Replayer() {
    }

    public static Summary replay(AsyncwatchConfig config, BufferedReader in, Writer alertsOut) throws IOException {
        AsyncwatchConfig offline = config.withInMemoryStores(true);
        Topics topics = Topics.from(offline);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-replay");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        long lines = 0;
        long records = 0;
        long alerts = 0;
        long deadLetters = 0;
        List<String> skipped = new ArrayList<>();
        Map<String, Long> reasons = new TreeMap<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(AsyncwatchTopology.build(offline), props,
                Instant.EPOCH)) {
            Map<String, TestInputTopic<String, byte[]>> inputs = new TreeMap<>();
            for (String name : List.of(topics.requests().name(), topics.heartbeats().name(),
                    topics.clocks().name())) {
                inputs.put(name, driver.createInputTopic(name, new StringSerializer(), new ByteArraySerializer()));
            }
            TestOutputTopic<String, Alert> alertTopic = driver.createOutputTopic(topics.alerts().name(),
                    new StringDeserializer(), topics.alerts().valueSerde().deserializer());
            TestOutputTopic<String, DeadLetter> dlqTopic = driver.createOutputTopic(topics.dlq().name(),
                    new StringDeserializer(), topics.dlq().valueSerde().deserializer());
            Map<String, TestOutputTopic<byte[], byte[]>> drains = new TreeMap<>();
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                if (line.isBlank()) {
                    continue;
                }
                Recording r;
                String topic;
                try {
                    r = Recording.parse(line);
                    topic = Recording.resolveTopic(r.topic(), offline.topics());
                } catch (IllegalArgumentException e) {
                    if (skipped.size() < MAX_SKIPPED_REPORTED) {
                        skipped.add("line " + lines + ": " + e.getMessage());
                    }
                    continue;
                }
                inputs.get(topic).pipeInput(r.key(), r.value(), r.timestamp());
                records++;
                for (Alert a : alertTopic.readValuesToList()) {
                    alertsOut.write(Json.writeString(a));
                    alertsOut.write('\n');
                    alerts++;
                }
                for (DeadLetter d : dlqTopic.readValuesToList()) {
                    deadLetters++;
                    reasons.merge(reasonKind(d.reason()), 1L, Long::sum);
                }
                if (records % DRAIN_EVERY == 0) {
                    drainOthers(driver, drains, topics);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        alertsOut.flush();
        return new Summary(lines, records, alerts, deadLetters, skipped, reasons);
    }

    /**
     * The driver keeps every record written to any topic, internal ones included, until it is read: without this
     * a long recording holds its repartitioned copies (and metrics) in memory to the end.
     */
    private static void drainOthers(TopologyTestDriver driver, Map<String, TestOutputTopic<byte[], byte[]>> drains,
                                    Topics topics) {
        for (String topic : driver.producedTopicNames()) {
            if (topic.equals(topics.alerts().name()) || topic.equals(topics.dlq().name())) {
                continue;
            }
            drains.computeIfAbsent(topic, t -> driver.createOutputTopic(t, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())).readRecordsToList();
        }
    }

    /** "requests: field 'attempt': wrong type (expected integer)" -> "requests: field 'attempt'". */
    private static String reasonKind(String reason) {
        int second = reason.indexOf(':', reason.indexOf(':') + 1);
        return second < 0 ? reason : reason.substring(0, second);
    }
}
