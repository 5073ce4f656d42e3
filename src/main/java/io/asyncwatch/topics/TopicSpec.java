package io.asyncwatch.topics;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A topic with the serdes its records are written in: the only place a topic name meets its format. */
public record TopicSpec<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Consumed<K, V> consumed(String nodeName) {
        return Consumed.with(keySerde, valueSerde).withName(nodeName);
    }

    public Produced<K, V> produced(String nodeName) {
        return Produced.with(keySerde, valueSerde).withName(nodeName);
    }
}
