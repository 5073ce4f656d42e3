package io.asyncwatch.serde;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Bytes to and from one record type, in one wire format. */
public interface Codec<T> {

    byte[] encode(T value);

    T decode(byte[] bytes) throws DecodeException;

    /** A Kafka serde for topics asyncwatch itself writes (and therefore trusts); {@code null} stays {@code null}. */
    default Serde<T> serde() {
        Serializer<T> serializer = (topic, value) -> value == null ? null : encode(value);
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decode(bytes);
            } catch (DecodeException e) {
                throw new SerializationException("cannot read record from " + topic + ": " + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
