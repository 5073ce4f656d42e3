package io.asyncwatch.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.testing.InterceptKafkaExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs are stamped with the broker's append time, so their retention counts from when they were written: an
 * alert about an incident of last year is not deleted by the broker seconds after it is written. Inputs keep the
 * producers' time, which is event time's fallback.
 */
@ExtendWith(InterceptKafkaExit.class)
class OutputRetentionTest {

    private static final long LAST_YEAR = 1_700_000_000_000L;

    @Test
    void outputTopicsAreCreatedWithAppendTimeAndKeepAnOldStampedRecordByItsAppendTime(@TempDir Path tmp)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of(
                    StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                StreamsRunner.createTopics(admin, config);
                List<ConfigResource> topics = new ArrayList<>();
                for (String t : List.of(config.topics().alerts(), config.topics().metrics(), config.topics().dlq(),
                        config.topics().requests())) {
                    topics.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
                }
                Map<ConfigResource, Config> configs = admin.describeConfigs(topics).all().get(30, TimeUnit.SECONDS);
                for (ConfigResource r : topics) {
                    String type = configs.get(r).get("message.timestamp.type").value();
                    assertEquals(r.name().equals(config.topics().requests()) ? "CreateTime" : "LogAppendTime", type,
                            r.name());
                }
            }
            Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>(config.topics().alerts(), 0, LAST_YEAR, "fp", "{}"))
                        .get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(config.topics().alerts(), 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<ConsumerRecord<String, String>> read = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (read.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                }
                assertEquals(1, read.size());
                assertEquals(TimestampType.LOG_APPEND_TIME, read.get(0).timestampType());
                assertTrue(read.get(0).timestamp() > LAST_YEAR, "stamped when written, not with last year's time");
            }
        }
    }
}
