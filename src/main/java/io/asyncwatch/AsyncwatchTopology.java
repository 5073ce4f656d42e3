package io.asyncwatch;

import io.asyncwatch.alert.AlertStage;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.retrystorm.RetryStorm;
import io.asyncwatch.ingest.EventType;
import io.asyncwatch.ingest.Ingest;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.JsonCodec;
import io.asyncwatch.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The whole of asyncwatch as one Kafka Streams topology. A pure function of the configuration: it creates no
 * client, topic or data, so {@code run}, {@code demo}, {@code replay} and the tests all execute the same graph.
 */
public final class AsyncwatchTopology {

    private AsyncwatchTopology() {
    }

    public static Topology build(AsyncwatchConfig config) {
        Topics topics = Topics.from(config);
        StreamsBuilder builder = new StreamsBuilder();

        // Sources: decode, validate, event time; bad records become dead letters.
        Ingest.Streams<RequestEvent> requests = Ingest.source(builder, topics.requests(),
                EventType.requests(topics.requestCodec()), config.maxClockSkewMs());
        Ingest.Streams<HeartbeatEvent> heartbeats = Ingest.source(builder, topics.heartbeats(),
                EventType.heartbeats(topics.heartbeatCodec()), config.maxClockSkewMs());
        Ingest.Streams<ClockEvent> clocks = Ingest.source(builder, topics.clocks(),
                EventType.clocks(topics.clockCodec()), config.maxClockSkewMs());
        KStream<String, RequestEvent> requestsByService = requests.events().repartition(
                Repartitioned.with(Serdes.String(), new JsonCodec<>(RequestEvent.class).serde())
                        .withName("requests-by-service"));

        // Detectors: each turns events into findings keyed by fingerprint.
        RetryStorm.Outputs retryStorm = RetryStorm.wire(requestsByService, config.retryStorm(), config.graceMs(),
                config.resolveAfterWindows(), config.inMemoryStores(), topics.requests().name());
        KStream<String, Finding> findings = retryStorm.findings();

        // Alerts: one lifecycle for every detector.
        KStream<String, Alert> alerts = AlertStage.wire(findings, config.resolveAfterWindows(), config.inMemoryStores());

        // Sinks.
        alerts.to(topics.alerts().name(), topics.alerts().produced("alerts-sink"));
        retryStorm.metrics().to(topics.metrics().name(), topics.metrics().produced("metrics-sink"));
        KStream<String, DeadLetter> deadLetters = requests.deadLetters()
                .merge(heartbeats.deadLetters(), Named.as("dead-letters-heartbeats"))
                .merge(clocks.deadLetters(), Named.as("dead-letters-clocks"));
        deadLetters.to(topics.dlq().name(), topics.dlq().produced("dlq-sink"));
        // Late events get a sink of their own: merging them into the ingest dead letters would join the detector
        // and the input sources into one sub-topology, whose tasks share one stream time. On a broker the input
        // partition then runs ahead of the repartitioned events and every event arrives "late".
        retryStorm.lateEvents().to(topics.dlq().name(), topics.dlq().produced("dlq-late-sink"));
        return builder.build();
    }
}
