package io.asyncwatch.testing;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.RetryWindowMetric;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The production topology in a TopologyTestDriver, fed JSON requests as services would send them. */
public final class FullTopology implements AutoCloseable {

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> requests;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<String, RetryWindowMetric> metrics;
    private final TestOutputTopic<String, DeadLetter> deadLetters;

    public FullTopology() {
        this(Map.of());
    }

    public FullTopology(Map<String, String> settings) {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(settings).withInMemoryStores(true);
        Topics topics = Topics.from(config);
        driver = new TopologyTestDriver(AsyncwatchTopology.build(config), Drivers.props());
        requests = driver.createInputTopic(topics.requests().name(), new StringSerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(topics.alerts().name(), new StringDeserializer(),
                topics.alerts().valueSerde().deserializer());
        metrics = driver.createOutputTopic(topics.metrics().name(), new StringDeserializer(),
                topics.metrics().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.dlq().name(), new StringDeserializer(),
                topics.dlq().valueSerde().deserializer());
    }

    public void send(RequestEvent e) {
        requests.pipeInput(e.service(), Json.write(e), e.timestamp());
    }

    public void send(List<RequestEvent> events) {
        events.forEach(this::send);
    }

    public List<Alert> alerts() {
        return alerts.readValuesToList();
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters.readValuesToList();
    }

    public List<RetryWindowMetric> metrics() {
        return metrics.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
