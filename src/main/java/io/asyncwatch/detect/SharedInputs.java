package io.asyncwatch.detect;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.state.StoreMode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * What detectors build on: the accepted events of the three input topics (in the ingest sub-topology, where
 * pre-aggregation happens), and re-keyed streams, each created once under its name and shared by every detector
 * that asks for it. Whoever asks first supplies the projection: filter and project before re-keying, so only what
 * detectors need crosses the broker, in a compact internal format.
 */
public final class SharedInputs {

    private final AsyncwatchConfig config;
    private final KStream<String, Accepted<RequestEvent>> requests;
    private final KStream<String, Accepted<HeartbeatEvent>> heartbeats;
    private final KStream<String, Accepted<ClockEvent>> clocks;
    private final Map<String, KStream<String, ?>> rekeyed = new HashMap<>();
    private final Map<String, Object> shared = new HashMap<>();
    private KStream<String, Accepted<RequestEvent>> requestEvents;

    public SharedInputs(AsyncwatchConfig config, KStream<String, Accepted<RequestEvent>> requests,
                        KStream<String, Accepted<HeartbeatEvent>> heartbeats,
                        KStream<String, Accepted<ClockEvent>> clocks) {
        this.config = config;
        this.requests = requests;
        this.heartbeats = heartbeats;
        this.clocks = clocks;
    }

    /** Accepted request events; the partitions' clock ticks are left out. */
    public KStream<String, Accepted<RequestEvent>> requests() {
        if (requestEvents == null) {
            requestEvents = requests.filter((k, a) -> !a.isTick(), Named.as("requests-accepted"));
        }
        return requestEvents;
    }

    /**
     * Accepted request events and, interleaved in order, each input partition's clock ticks: for a stage that
     * re-keys and must know how far every partition has got (the slowest one is its clock).
     */
    public KStream<String, Accepted<RequestEvent>> requestsWithTicks() {
        return requests;
    }

    public KStream<String, Accepted<HeartbeatEvent>> heartbeats() {
        return heartbeats;
    }

    public KStream<String, Accepted<ClockEvent>> clocks() {
        return clocks;
    }

    public StoreMode stores() {
        return config.storeMode();
    }

    /**
     * A stage several detectors build on (the call windows), wired once under {@code name} by whoever asks first.
     */
    public <T> T shared(String name, Supplier<T> wire) {
        @SuppressWarnings("unchecked")
        T existing = (T) shared.get(name);
        if (existing == null) {
            existing = wire.get();
            shared.put(name, existing);
        }
        return existing;
    }

    /**
     * The stream re-keyed under {@code name} (its internal topic is {@code <application.id>-<name>-repartition}).
     * {@code projected} is called only the first time: it returns the filtered, projected stream with the new key.
     */
    public <V> KStream<String, V> rekeyed(String name, Serde<V> serde, Supplier<KStream<String, V>> projected) {
        return rekeyed(name, serde, v -> false, projected);
    }

    /** As {@link #rekeyed(String, Serde, Supplier)}; values that are ticks go to every partition. */
    public <V> KStream<String, V> rekeyed(String name, Serde<V> serde, java.util.function.Predicate<V> isTick,
                                          Supplier<KStream<String, V>> projected) {
        return rekeyed(name, serde, isTick, 0, projected);
    }

    /**
     * As above, on {@code partitions} partitions (0: as many as the input, Kafka Streams' default). A stage whose
     * records all share one key runs on one: the other partitions' tasks would only commit and pass ticks on.
     */
    public <V> KStream<String, V> rekeyed(String name, Serde<V> serde, java.util.function.Predicate<V> isTick,
                                          int partitions, Supplier<KStream<String, V>> projected) {
        @SuppressWarnings("unchecked")
        KStream<String, V> existing = (KStream<String, V>) rekeyed.get(name);
        if (existing != null) {
            return existing;
        }
        Repartitioned<String, V> how = Repartitioned.with(Serdes.String(), serde).withName(name)
                .withStreamPartitioner(new io.asyncwatch.time.Broadcast<>(isTick));
        KStream<String, V> created = projected.get().repartition(partitions > 0 ? how.withNumberOfPartitions(partitions)
                : how);
        rekeyed.put(name, created);
        return created;
    }
}
