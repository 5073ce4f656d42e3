package io.asyncwatch.testing;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Recordings into a real broker and alerts back out, for the tests that compare live with replay. */
public final class BrokerIo {

    private BrokerIo() {
    }

    /** Produces every line of a recording as the record it describes (topic, record timestamp, key, raw value). */
    public static void produce(String bootstrap, AsyncwatchConfig config, List<String> lines) {
        produce(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), config, lines);
    }

    /** As {@link #produce(String, AsyncwatchConfig, List)}, with client settings (bootstrap.servers, security). */
    public static void produce(Map<String, ?> client, AsyncwatchConfig config, List<String> lines) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (String line : lines) {
                Recording r = Recording.parse(line);
                producer.send(new ProducerRecord<>(Recording.resolveTopic(r.topic(), config.topics()), null,
                        r.timestamp(), r.key(), r.value()));
            }
            producer.flush();
        }
    }

    /** Committed alerts from the beginning, until {@code count} have arrived or {@code deadline} has passed. */
    public static List<Alert> awaitAlerts(String bootstrap, AsyncwatchConfig config, int count, Duration deadline) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "asyncwatch-test-reader");
        List<Alert> seen = new ArrayList<>();
        try (KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                Topics.from(config).alerts().valueSerde().deserializer())) {
            consumer.subscribe(List.of(config.topics().alerts()));
            long end = System.nanoTime() + deadline.toNanos();
            while (seen.size() < count && System.nanoTime() < end) {
                for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
        }
        return seen;
    }
}
