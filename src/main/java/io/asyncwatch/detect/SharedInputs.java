package io.asyncwatch.detect;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
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

    public SharedInputs(AsyncwatchConfig config, KStream<String, Accepted<RequestEvent>> requests,
                        KStream<String, Accepted<HeartbeatEvent>> heartbeats,
                        KStream<String, Accepted<ClockEvent>> clocks) {
        this.config = config;
        this.requests = requests;
        this.heartbeats = heartbeats;
        this.clocks = clocks;
    }

    public KStream<String, Accepted<RequestEvent>> requests() {
        return requests;
    }

    public KStream<String, Accepted<HeartbeatEvent>> heartbeats() {
        return heartbeats;
    }

    public KStream<String, Accepted<ClockEvent>> clocks() {
        return clocks;
    }

    public boolean inMemoryStores() {
        return config.inMemoryStores();
    }

    /**
     * The stream re-keyed under {@code name} (its internal topic is {@code <application.id>-<name>-repartition}).
     * {@code projected} is called only the first time: it returns the filtered, projected stream with the new key.
     */
    public <V> KStream<String, V> rekeyed(String name, Serde<V> serde, Supplier<KStream<String, V>> projected) {
        @SuppressWarnings("unchecked")
        KStream<String, V> existing = (KStream<String, V>) rekeyed.get(name);
        if (existing != null) {
            return existing;
        }
        KStream<String, V> created = projected.get().repartition(
                Repartitioned.with(Serdes.String(), serde).withName(name));
        rekeyed.put(name, created);
        return created;
    }
}
