package io.asyncwatch.testing;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.replay.OfflineEngine;
import io.asyncwatch.serde.Json;
import java.util.List;
import java.util.Map;

/**
 * The production topology on the offline engine {@code replay} uses, fed JSON events as services would send
 * them, with record timestamp = event timestamp unless given.
 */
public final class FullTopology implements AutoCloseable {

    private final OfflineEngine engine;

    public FullTopology() {
        this(Map.of());
    }

    public FullTopology(Map<String, String> settings) {
        engine = new OfflineEngine(AsyncwatchConfig.fromMap(settings));
    }

    public void send(RequestEvent e) {
        engine.pipe("requests", e.service(), Json.write(e), e.timestamp());
    }

    /** A request whose Kafka record timestamp differs from its payload timestamp. */
    public void send(RequestEvent e, long recordTimestamp) {
        engine.pipe("requests", e.service(), Json.write(e), recordTimestamp);
    }

    public void send(List<RequestEvent> events) {
        events.forEach(this::send);
    }

    public void sendRaw(String topic, String key, byte[] value, long recordTimestamp) {
        engine.pipe(topic, key, value, recordTimestamp);
    }

    /** Lets wall-clock time pass with no input (a silent partition). */
    public void wallClockTo(long time) {
        engine.advanceWallTo(time);
    }

    /** The end of input: as much silence as it takes for every window and episode to close. */
    public void silence() {
        engine.silence();
    }

    public List<Alert> alerts() {
        return engine.readAlerts();
    }

    public List<DeadLetter> deadLetters() {
        return engine.readDeadLetters();
    }

    public List<Metric> metrics() {
        return engine.readMetrics();
    }

    public List<StandupSummary> standups() {
        return engine.readStandups();
    }

    @Override
    public void close() {
        engine.close();
    }
}
