package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.EventTimeSettings;
import io.asyncwatch.topics.TopicSpec;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;
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
        String events = name + "-events";
        String deadLetters = name + "-dead-letters";
        ProcessorSupplier<String, byte[], String, Ingested<T>> supplier = new ProcessorSupplier<>() {
            @Override
            public Processor<String, byte[], String, Ingested<T>> get() {
                return new IngestProcessor<>(type, time, store, events, deadLetters);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(StateStores.boundedTaskStore(store, stores));
            }
        };
        // The processor forwards to one of these two children by name: no branch nodes for every event to pass.
        KStream<String, Ingested<T>> validated = builder
                .stream(topic.name(), topic.consumed(name + "-source"))
                .process(supplier, Named.as(name + "-validate"));
        KStream<String, Accepted<T>> accepted = validated.mapValues(Ingested::accepted, Named.as(events));
        KStream<String, DeadLetter> dead = validated.mapValues(Ingested::rejected, Named.as(deadLetters));
        return new Streams<>(accepted, dead);
    }
}
