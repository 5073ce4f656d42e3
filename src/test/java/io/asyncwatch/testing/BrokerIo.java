package io.asyncwatch.testing;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.StandupSummary;
import org.apache.kafka.common.serialization.Deserializer;
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
        // Patience for a loaded machine (the test JVMs share two cores with the broker and the application).
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 90_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            // Every topic's metadata before the first send. CI once lost the first record of the third topic
            // while the records around it were written; a send whose topic's metadata does not come within
            // max.block.ms fails alone like that.
            List<Recording> records = lines.stream().map(Recording::parse).toList();
            records.stream().map(r -> Recording.resolveTopic(r.topic(), config.topics())).distinct()
                    .forEach(producer::partitionsFor);
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                    new ArrayList<>(lines.size());
            for (Recording r : records) {
                sent.add(producer.send(new ProducerRecord<>(Recording.resolveTopic(r.topic(), config.topics()), null,
                        r.timestamp(), r.key(), r.value())));
            }
            producer.flush();
            // A failed send must fail the test here, not show up later as a record missing from the broker.
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // The cause goes into the message: CI shows only the first line of an error.
                    throw new IllegalStateException("record " + i + " of the recording (topic "
                            + records.get(i).topic() + ") was not produced: " + e.getCause(),
                            e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Records each topic holds (end minus start offsets over its partitions), by topic name. */
    public static Map<String, Long> recordsHeld(String bootstrap, List<String> topics) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, Long> held = new java.util.TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t, Duration.ofSeconds(30))
                        .forEach(i -> parts.add(new org.apache.kafka.common.TopicPartition(t, i.partition())));
            }
            Map<org.apache.kafka.common.TopicPartition, Long> begin = consumer.beginningOffsets(parts,
                    Duration.ofSeconds(30));
            consumer.endOffsets(parts, Duration.ofSeconds(30))
                    .forEach((tp, end) -> held.merge(tp.topic(), end - begin.get(tp), Long::sum));
        }
        return held;
    }

    /** Committed alerts from the beginning, until {@code count} have arrived or {@code deadline} has passed. */
    public static List<Alert> awaitAlerts(String bootstrap, AsyncwatchConfig config, int count, Duration deadline) {
        return await(bootstrap, config.topics().alerts(), Topics.from(config).alerts().valueSerde().deserializer(),
                count, deadline);
    }

    /** Committed standup summaries from the beginning, until {@code count} have arrived or the deadline passed. */
    public static List<StandupSummary> awaitStandups(String bootstrap, AsyncwatchConfig config, int count,
                                                     Duration deadline) {
        return await(bootstrap, config.topics().standup(), Topics.from(config).standup().valueSerde().deserializer(),
                count, deadline);
    }

    private static <V> List<V> await(String bootstrap, String topic, Deserializer<V> values, int count,
                                     Duration deadline) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "asyncwatch-test-reader-" + topic);
        List<V> seen = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + deadline.toNanos();
            while (seen.size() < count && System.nanoTime() < end) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
        }
        return seen;
    }
}
