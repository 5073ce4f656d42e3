package io.asyncwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.topics.Topics;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each event type goes to its own topic, encoded with that topic's codec, in either input format. */
class TrafficProducerTest {

    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 60_000L;

    @ParameterizedTest
    @ValueSource(strings = {"json", "avro"})
    void everyEventTypeIsEncodedWithItsTopicsCodec(String format) throws Exception {
        AsyncwatchConfig cfg = AsyncwatchConfig.fromMap(Map.of("asyncwatch.input.format", format));
        Topics topics = Topics.from(cfg);
        TrafficProducer producer = new TrafficProducer(cfg);
        Set<String> seen = new TreeSet<>();
        // A minute of the demo: calls, both layers' writes, heartbeats, clock readings.
        for (Iterator<Generated> it = TrafficGenerator.events(TrafficGenerator.demoPlan(START, 1, 1, 42));
             it.hasNext(); ) {
            Generated g = it.next();
            ProducerRecord<String, byte[]> r = producer.toRecord(g);
            assertEquals(g.key(), r.key());
            assertEquals(g.timestamp(), r.timestamp());
            switch (g.topic()) {
                case "requests" -> {
                    assertEquals(cfg.topics().requests(), r.topic());
                    assertEquals(g.event(), topics.requestCodec().decode(r.value()));
                }
                case "heartbeats" -> {
                    assertEquals(cfg.topics().heartbeats(), r.topic());
                    assertEquals(g.event(), topics.heartbeatCodec().decode(r.value()));
                }
                case "clocks" -> {
                    assertEquals(cfg.topics().clocks(), r.topic());
                    assertEquals(g.event(), topics.clockCodec().decode(r.value()));
                }
                default -> throw new AssertionError(g.topic());
            }
            seen.add(g.topic());
        }
        assertEquals(Set.of("clocks", "heartbeats", "requests"), seen);
    }
}
