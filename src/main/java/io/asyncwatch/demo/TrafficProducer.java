package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.serde.Codec;
import io.asyncwatch.topics.Topics;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Produces generated traffic to the input topics, each event encoded in the configured input format with its
 * topic's codec, record timestamp = event timestamp, as fast as the broker takes it.
 */
final class TrafficProducer {

    /** Called before each event is sent; returning false stops producing (Ctrl-C). */
    interface Progress {
        boolean beforeSend(long sent, Generated next);
    }

    /** What was sent: the total and the count per logical topic (requests, heartbeats, clocks). */
    record Produced(long total, Map<String, Long> byTopic) {

        /** "150,000 requests, 5,400 heartbeats, 900 clocks" */
        String describe() {
            StringBuilder sb = new StringBuilder();
            byTopic.forEach((topic, n) -> sb.append(sb.length() == 0 ? "" : ", ")
                    .append(String.format("%,d %s", n, topic)));
            return sb.toString();
        }
    }

    private final AsyncwatchConfig cfg;
    private final Codec<RequestEvent> requests;
    private final Codec<HeartbeatEvent> heartbeats;
    private final Codec<ClockEvent> clocks;

    TrafficProducer(AsyncwatchConfig cfg) {
        Topics topics = Topics.from(cfg);
        this.cfg = cfg;
        this.requests = topics.requestCodec();
        this.heartbeats = topics.heartbeatCodec();
        this.clocks = topics.clockCodec();
    }

    /**
     * Sends up to {@code limit} events and waits until the broker has acknowledged all of them.
     *
     * @throws IllegalStateException if a send failed
     */
    Produced produce(Iterator<Generated> events, long limit, Progress progress) {
        AtomicReference<Exception> sendError = new AtomicReference<>();
        Map<String, Long> byTopic = new TreeMap<>();
        long sent = 0;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            while (sent < limit && events.hasNext()) {
                Generated g = events.next();
                if (!progress.beforeSend(sent, g)) {
                    break;
                }
                producer.send(toRecord(g), (md, e) -> {
                    if (e != null) {
                        sendError.compareAndSet(null, e);
                    }
                });
                byTopic.merge(g.topic(), 1L, Long::sum);
                sent++;
            }
            producer.flush();
        }
        if (sendError.get() != null) {
            throw new IllegalStateException("producing the traffic failed: " + sendError.get(), sendError.get());
        }
        return new Produced(sent, byTopic);
    }

    /** The Kafka record of one generated event. */
    ProducerRecord<String, byte[]> toRecord(Generated g) {
        return new ProducerRecord<>(Recording.resolveTopic(g.topic(), cfg.topics()), null, g.timestamp(), g.key(),
                encode(g.event()));
    }

    private byte[] encode(Object event) {
        if (event instanceof RequestEvent r) {
            return requests.encode(r);
        }
        if (event instanceof HeartbeatEvent h) {
            return heartbeats.encode(h);
        }
        if (event instanceof ClockEvent c) {
            return clocks.encode(c);
        }
        throw new IllegalArgumentException("not an input event: " + event);
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> p = new TreeMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "asyncwatch-traffic");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
