package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.topics.TopicSpec;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/** Wires one input topic: source, decode + validate, then the valid events and the dead letters apart. */
public final class Ingest {

    public record Streams<T>(KStream<String, T> events, KStream<String, DeadLetter> deadLetters) {
    }

    private Ingest() {
    }

    public static <T> Streams<T> source(StreamsBuilder builder, TopicSpec<String, byte[]> topic, EventType<T> type,
                                        long maxSkewMs) {
        String name = type.logicalName();
        Map<String, KStream<String, Ingested<T>>> branches = builder
                .stream(topic.name(), topic.consumed(name + "-source"))
                .process(() -> new IngestProcessor<>(type, maxSkewMs), Named.as(name + "-validate"))
                .split(Named.as(name + "-split-"))
                .branch((k, v) -> v.event() != null, Branched.as("valid"))
                .defaultBranch(Branched.as("invalid"));
        KStream<String, T> events = branches.get(name + "-split-valid")
                .mapValues(Ingested::event, Named.as(name + "-events"));
        KStream<String, DeadLetter> dead = branches.get(name + "-split-invalid")
                .mapValues(Ingested::rejected, Named.as(name + "-dead-letters"));
        return new Streams<>(events, dead);
    }
}
