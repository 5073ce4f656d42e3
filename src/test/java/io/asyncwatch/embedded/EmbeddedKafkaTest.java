package io.asyncwatch.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.asyncwatch.testing.InterceptKafkaExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(InterceptKafkaExit.class)
class EmbeddedKafkaTest {

    private static final String TOPIC = "incidents";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    // Far older than the default 7-day retention: proves retention does not delete recorded data.
    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    private static final int COMMITTED = 100;
    private static final int ABORTED = 10;
    private static final Duration READ_DEADLINE = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void committedRecordsAreReadAndSurviveRestart(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("kafka");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < COMMITTED; i++) {
            expected.add("k" + i + "=v" + i + "@" + (BASE_TIMESTAMP + i));
        }

        long t0 = System.nanoTime();
        EmbeddedKafka first = EmbeddedKafka.start(dataDir);
        long started = System.nanoTime();
        String firstBootstrap;
        long closing;
        try (first) {
            firstBootstrap = first.bootstrapServers();
            assertTrue(firstBootstrap.matches("127\\.0\\.0\\.1:\\d+"), firstBootstrap);
            assertTrue(Files.exists(dataDir.resolve("meta.properties")), "storage was formatted");
            IOException busy = assertThrows(IOException.class, () -> EmbeddedKafka.start(dataDir));
            assertTrue(busy.getMessage().contains("in use"), busy.getMessage());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, firstBootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            produceCommittedThenAborted(firstBootstrap);
            assertEquals(expected, readCommitted(firstBootstrap));
            closing = System.nanoTime();
        }
        long stopped = System.nanoTime();
        first.close(); // idempotent

        String metaBefore = Files.readString(dataDir.resolve("meta.properties"));
        long t1 = System.nanoTime();
        try (EmbeddedKafka second = EmbeddedKafka.start(dataDir)) {
            long restarted = System.nanoTime();
            assertEquals(metaBefore, Files.readString(dataDir.resolve("meta.properties")), "not reformatted");
            assertEquals(expected, readCommitted(second.bootstrapServers()));
            // Printed, not asserted: timings vary with the machine; the Surefire report keeps them.
            System.out.printf("first start %d ms, stop %d ms, restart %d ms%n",
                    (started - t0) / 1_000_000, (stopped - closing) / 1_000_000, (restarted - t1) / 1_000_000);
        }
    }

    @Test
    void rejectsOverridesOfManagedSettings(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedKafka.start(tmp.resolve("kafka"), Map.of("log.dirs", "/elsewhere")));
        assertTrue(e.getMessage().contains("log.dirs"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("kafka")), "nothing is created for a rejected configuration");
    }

    @Test
    void aSaslSslListenerRefusesUsersItsJaasConfigurationCouldNotHold() {
        Path keystore = Path.of("broker.p12"); // never read: the users are checked first
        for (Map<String, String> users : List.of(Map.of("a b", "pw"), Map.of("a", "p\"w"), Map.of("a", "p\\w"))) {
            assertThrows(IllegalArgumentException.class,
                    () -> new EmbeddedKafka.SaslSslListener(keystore, "secret", users), users.toString());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafka.SaslSslListener(keystore, "secret", Map.of()));
    }

    private static void produceCommittedThenAborted(String bootstrap) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();

            producer.beginTransaction();
            for (int i = 0; i < COMMITTED; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, BASE_TIMESTAMP + i, "k" + i, "v" + i));
            }
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < ABORTED; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, BASE_TIMESTAMP + i, "aborted" + i, "aborted" + i));
            }
            producer.flush(); // the aborted records really reach the log, so read_committed has something to skip
            producer.abortTransaction();
        }
    }

    /** Reads the partition from the start up to its last stable offset, as "key=value@timestamp". */
    private static List<String> readCommitted(String bootstrap) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(Set.of(PARTITION));
            consumer.seekToBeginning(Set.of(PARTITION));
            // Under read_committed this is the last stable offset: past both transactions and their markers.
            long end = consumer.endOffsets(Set.of(PARTITION)).get(PARTITION);
            long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
            while (consumer.position(PARTITION) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.key() + "=" + r.value() + "@" + r.timestamp());
                }
            }
            assertEquals(end, consumer.position(PARTITION), "reached the end of the partition before the deadline");
        }
        return read;
    }
}
