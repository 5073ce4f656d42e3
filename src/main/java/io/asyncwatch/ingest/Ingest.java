package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.EventTimeSettings;
import io.asyncwatch.topics.TopicSpec;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/** Wires one input topic: source, decode + validate + partition clock, then accepted events and dead letters apart. */
public final class Ingest {

    public record Streams<T>(KStream<String, Accepted<T>> events, KStream<String, DeadLetter> deadLetters) {
    }

    private Ingest() {
    }

    public static <T> Streams<T> source(StreamsBuilder builder, TopicSpec<String, byte[]> topic, EventType<T> type,
                                        EventTimeSettings time, StoreMode stores) {
        String name = type.logicalName();
        String store = name + "-clock";
        ProcessorSupplier<String, byte[], String, Ingested<T>> supplier = new ProcessorSupplier<>() {
            @Override
            public Processor<String, byte[], String, Ingested<T>> get() {
                return new IngestProcessor<>(type, time, store);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(StateStores.boundedTaskStore(store, stores));
            }
        };
        Map<String, KStream<String, Ingested<T>>> branches = builder
                .stream(topic.name(), topic.consumed(name + "-source"))
                .process(supplier, Named.as(name + "-validate"))
                .split(Named.as(name + "-split-"))
                .branch((k, v) -> v.accepted() != null, Branched.as("valid"))
                .defaultBranch(Branched.as("invalid"));
        KStream<String, Accepted<T>> events = branches.get(name + "-split-valid")
                .mapValues(Ingested::accepted, Named.as(name + "-events"));
        KStream<String, DeadLetter> dead = branches.get(name + "-split-invalid")
                .mapValues(Ingested::rejected, Named.as(name + "-dead-letters"));
        return new Streams<>(events, dead);
    }
}
