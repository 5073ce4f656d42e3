package io.asyncwatch;

import io.asyncwatch.alert.AlertLifecycle;
import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.AlertStage;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.alert.Playbooks;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.Detectors;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.ingest.EventType;
import io.asyncwatch.ingest.Ingest;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.standup.Standup;
import io.asyncwatch.standup.StandupSettings;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.EventTimeSettings;
import io.asyncwatch.topics.Topics;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The whole of asyncwatch as one Kafka Streams topology. A pure function of the configuration: it creates no
 * client, topic or data, so {@code run}, {@code demo}, {@code replay} and the tests all execute the same graph.
 */
public final class AsyncwatchTopology {

    private AsyncwatchTopology() {
    }

    public static Topology build(AsyncwatchConfig config) {
        Topics topics = Topics.from(config);
        EventTimeSettings time = config.eventTime();
        StoreMode stores = config.storeMode();
        StreamsBuilder builder = new StreamsBuilder();

        // Sources: decode, validate, partition clock; bad records and clock outliers become dead letters.
        Ingest.Streams<RequestEvent> requests = Ingest.source(builder, topics.requests(),
                EventType.requests(topics.requestCodec()), time, stores);
        Ingest.Streams<HeartbeatEvent> heartbeats = Ingest.source(builder, topics.heartbeats(),
                EventType.heartbeats(topics.heartbeatCodec()), time, stores);
        Ingest.Streams<ClockEvent> clocks = Ingest.source(builder, topics.clocks(),
                EventType.clocks(topics.clockCodec()), time, stores);
        SharedInputs inputs = new SharedInputs(config, requests.events(), heartbeats.events(), clocks.events());

        // Detectors: each turns the shared inputs into findings, metrics and its own dead letters.
        Map<String, KStream<String, Finding>> findings = new LinkedHashMap<>();
        Map<String, Detector.Outputs> outputs = new LinkedHashMap<>();
        Map<AlertType, AlertPolicy> policies = new EnumMap<>(AlertType.class);
        for (Detector detector : Detectors.enabled(config)) {
            Detector.Outputs out = detector.wire(inputs, config);
            findings.put(detector.name(), out.findings());
            outputs.put(detector.name(), out);
            policies.putAll(detector.policies(config));
            // Each detector's outputs get sinks of their own: merging them would fuse sub-topologies, whose tasks
            // would then share one stream time.
            out.metrics().to(topics.metrics().name(), topics.metrics().produced(detector.name() + "-metrics-sink"));
            if (out.deadLetters() != null) {
                out.deadLetters().to(topics.dlq().name(), topics.dlq().produced(detector.name() + "-dlq-sink"));
            }
        }

        // Alerts: one lifecycle for every detector, each type resolved by its own policy.
        AlertLifecycle lifecycle = new AlertLifecycle(config.alerts(), policies, Playbooks.load());
        KStream<String, AlertStage.Out> emitted = AlertStage.wire(findings, lifecycle, config.alerts(), stores,
                Detectors::optionalInput, Standup.warmupMs(config));
        KStream<String, Alert> alerts = AlertStage.alerts(emitted);

        // Standup: the seeds' morning health check, from what the detectors publish and the alerts.
        if (config.settings(StandupSettings.SPEC).enabled()) {
            Standup.wire(outputs, emitted, config, stores)
                    .to(topics.standup().name(), topics.standup().produced("standup-sink"));
        }

        // Sinks.
        alerts.to(topics.alerts().name(), topics.alerts().produced("alerts-sink"));
        // One dead-letter sink per input: merging them would fuse the three inputs into one sub-topology, whose
        // tasks would read three partitions each and wait on the sparse ones.
        requests.deadLetters().to(topics.dlq().name(), topics.dlq().produced("requests-dlq-sink"));
        heartbeats.deadLetters().to(topics.dlq().name(), topics.dlq().produced("heartbeats-dlq-sink"));
        clocks.deadLetters().to(topics.dlq().name(), topics.dlq().produced("clocks-dlq-sink"));
        return builder.build();
    }

    /** Event time after the last input by which every detector and the alert stage have said all they will. */
    public static long settleMs(AsyncwatchConfig config) {
        long detectors = 0;
        long alerts = config.alerts().quietPeriodMs();
        for (Detector d : Detectors.enabled(config)) {
            detectors = Math.max(detectors, d.settleMs(config));
            for (AlertPolicy p : d.policies(config).values()) {
                alerts = Math.max(alerts, (config.alerts().resolveAfterWindows() + 1L) * p.windowMs());
            }
        }
        return detectors + Math.max(alerts, Standup.settleMs(config));
    }
}
