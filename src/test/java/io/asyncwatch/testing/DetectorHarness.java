package io.asyncwatch.testing;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.ingest.EventType;
import io.asyncwatch.ingest.Ingest;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.OfflineEngine;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;

/**
 * One detector alone on the offline engine: the shared ingest, the detector's wiring, and its findings, metrics
 * and dead letters on topics of their own (no alert stage), with the wall clock driven by record timestamps.
 */
public final class DetectorHarness implements AutoCloseable {

    private static final String FINDINGS = "test.findings";

    private final OfflineEngine engine;
    private final Topics topics;

    public DetectorHarness(Detector detector, Map<String, String> settings) {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(settings).withReplayStores();
        topics = Topics.from(config);
        StreamsBuilder b = new StreamsBuilder();
        var time = config.eventTime();
        Ingest.Streams<RequestEvent> requests = Ingest.source(b, topics.requests(),
                EventType.requests(topics.requestCodec()), time, config.storeMode());
        Ingest.Streams<HeartbeatEvent> heartbeats = Ingest.source(b, topics.heartbeats(),
                EventType.heartbeats(topics.heartbeatCodec()), time, config.storeMode());
        Ingest.Streams<ClockEvent> clocks = Ingest.source(b, topics.clocks(),
                EventType.clocks(topics.clockCodec()), time, config.storeMode());
        Detector.Outputs out = detector.wire(new SharedInputs(config, requests.events(), heartbeats.events(),
                clocks.events()), config);
        out.findings().to(FINDINGS, Produced.with(Serdes.String(), Finding.SERDE));
        out.metrics().to(topics.metrics().name(), topics.metrics().produced("test-metrics"));
        if (out.deadLetters() != null) {
            out.deadLetters().to(topics.dlq().name(), topics.dlq().produced("test-detector-dlq"));
        }
        requests.deadLetters().to(topics.dlq().name(), topics.dlq().produced("test-ingest-dlq"));
        engine = new OfflineEngine(config, b.build());
    }

    public void send(RequestEvent e) {
        engine.pipe("requests", e.service(), Json.write(e), e.timestamp());
    }

    public void send(HeartbeatEvent e) {
        engine.pipe("heartbeats", e.node(), Json.write(e), e.timestamp());
    }

    /** A heartbeat whose Kafka record is stamped {@code recordTimestamp} (its arrival), not its sender's time. */
    public void send(HeartbeatEvent e, long recordTimestamp) {
        engine.pipe("heartbeats", e.node(), Json.write(e), recordTimestamp);
    }

    public void send(ClockEvent e) {
        engine.pipe("clocks", e.node(), Json.write(e), e.timestamp());
    }

    /** A clock reading whose Kafka record is stamped {@code recordTimestamp} (its arrival), not its sender's time. */
    public void send(ClockEvent e, long recordTimestamp) {
        engine.pipe("clocks", e.node(), Json.write(e), recordTimestamp);
    }

    public void send(List<RequestEvent> events) {
        events.forEach(this::send);
    }

    public void wallClockTo(long time) {
        engine.advanceWallTo(time);
    }

    public void silence() {
        engine.silence();
    }

    /** Findings, without the clock ticks that go with them. */
    public List<Finding> findings() {
        return engine.read(FINDINGS, Finding.SERDE.deserializer()).stream().map(TestRecord::value)
                .filter(f -> !f.isTick()).toList();
    }

    /** The clock ticks alone, as "source@time" ("NONE": the task announcing itself before its clock starts). */
    public List<String> ticks() {
        return engine.read(FINDINGS, Finding.SERDE.deserializer()).stream().map(TestRecord::value)
                .filter(Finding::isTick).map(f -> f.type() + " " + f.source() + "@"
                        + (f.windowEnd() == io.asyncwatch.time.Watermarks.NONE ? "NONE" : f.windowEnd())).toList();
    }

    public List<Metric> metrics() {
        return engine.readMetrics();
    }

    public List<DeadLetter> deadLetters() {
        return engine.readDeadLetters();
    }

    @Override
    public void close() {
        engine.close();
    }
}
