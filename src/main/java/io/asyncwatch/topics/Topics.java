package io.asyncwatch.topics;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.AsyncwatchConfig.Format;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.serde.AvroCodec;
import io.asyncwatch.serde.Codec;
import io.asyncwatch.serde.JsonCodec;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every external topic of asyncwatch with its serdes, and the codecs of the input events. Input topics are read
 * as raw bytes: decoding happens in the ingest stage so that a bad record becomes a dead letter, not a crash.
 */
public record Topics(
        TopicSpec<String, byte[]> requests,
        TopicSpec<String, byte[]> heartbeats,
        TopicSpec<String, byte[]> clocks,
        TopicSpec<String, Alert> alerts,
        TopicSpec<String, DeadLetter> dlq,
        TopicSpec<String, Metric> metrics,
        TopicSpec<String, StandupSummary> standup,
        Codec<RequestEvent> requestCodec,
        Codec<HeartbeatEvent> heartbeatCodec,
        Codec<ClockEvent> clockCodec) {

    public static Topics from(AsyncwatchConfig config) {
        AsyncwatchConfig.TopicNames n = config.topics();
        AsyncwatchConfig.AvroSchemaIds ids = config.avroSchemaIds();
        Format in = config.inputFormat();
        Format out = config.outputFormat();
        return new Topics(
                raw(n.requests()), raw(n.heartbeats()), raw(n.clocks()),
                new TopicSpec<>(n.alerts(), Serdes.String(),
                        codec(out, Alert.class, "schemas/alert.avsc", ids.alert()).serde()),
                new TopicSpec<>(n.dlq(), Serdes.String(),
                        codec(out, DeadLetter.class, "schemas/dead-letter.avsc", ids.deadLetter()).serde()),
                new TopicSpec<>(n.metrics(), Serdes.String(),
                        codec(out, Metric.class, "schemas/metric.avsc", ids.metric()).serde()),
                new TopicSpec<>(n.standup(), Serdes.String(),
                        codec(out, StandupSummary.class, "schemas/standup.avsc", ids.standup()).serde()),
                codec(in, RequestEvent.class, "schemas/request.avsc", ids.request()),
                codec(in, HeartbeatEvent.class, "schemas/heartbeat.avsc", ids.heartbeat()),
                codec(in, ClockEvent.class, "schemas/clock.avsc", ids.clock()));
    }

    private static TopicSpec<String, byte[]> raw(String name) {
        return new TopicSpec<>(name, Serdes.String(), Serdes.ByteArray());
    }

    public static <T> Codec<T> codec(Format format, Class<T> type, String schema, int schemaId) {
        return format == Format.AVRO ? new AvroCodec<>(type, schema, schemaId) : new JsonCodec<>(type);
    }
}
