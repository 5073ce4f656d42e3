package io.asyncwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.alert.AlertLifecycle;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.demo.TrafficGenerator.Storm;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import io.asyncwatch.testing.InterceptKafkaExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on a real broker: generated traffic with a retry storm goes into the requests topic, the
 * production topology runs on it with exactly-once processing, and a FIRING RETRY_STORM alert for the storm's
 * service comes out on the alerts topic, identical to the one the offline replay engine computes.
 */
@ExtendWith(InterceptKafkaExit.class)
class RetryStormEndToEndTest {

    /** 2023-11-14T22:13:00Z: a fixed, minute-aligned instant, never now(). */
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 60_000L;
    private static final String STORM_SERVICE = "svc-pay";
    private static final int STORM_MINUTE = 8;
    private static final Duration ALERT_DEADLINE = Duration.ofSeconds(60);
    private static final int DRAIN_ROUNDS = 5;
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(60);
    private static final String APP_ID = "asyncwatch-it";

    /**
     * Two services at ~100 attempts a minute with a 2 % retry share; from minute 8 svc-pay's share is multiplied
     * by 12-15 for three minutes (eight minutes of baseline before: more than the detector's 300 attempts),
     * then nine calm minutes so that stream time passes the storm's windows and their grace period.
     */
    private static final Plan PLAN = new Plan(START, 20,
            List.of(new Service(STORM_SERVICE, "service", "db-pay", 100, 0.02),
                    new Service("svc-stock", "service", "db-stock", 100, 0.02)),
            List.of(new Storm(STORM_SERVICE, STORM_MINUTE, List.of(12.0, 15.0, 12.0))),
            7L);

    @Test
    @Timeout(120)
    void retryStormOnTheBrokerFiresTheSameAlertAsOfflineReplay(@TempDir Path tmp) throws Exception {
        List<Generated> traffic = new ArrayList<>();
        for (Iterator<Generated> it = TrafficGenerator.events(PLAN); it.hasNext(); ) {
            traffic.add(it.next());
        }
        Alert expected = firstFiringOffline(traffic);

        // The topics are created with retention.ms = 7 days and the records carry 2023 timestamps: the broker's
        // first retention check (30 s after start by default) would delete them. Keep it out of the test's way.
        Map<String, String> broker = Map.of("log.initial.task.delay.ms", "600000");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), broker)) {
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of(
                    StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    StreamsConfig.APPLICATION_ID_CONFIG, APP_ID,
                    StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString()));
            Properties props = StreamsRunner.streamsProperties(config);
            assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    "exactly-once v2 is the default guarantee");
            assertEquals(APP_ID, props.get(StreamsConfig.APPLICATION_ID_CONFIG));

            int alertPartitions;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                StreamsRunner.createTopics(admin, config);
                StreamsRunner.createTopics(admin, config); // existing topics are left alone
                alertPartitions = admin.describeTopics(List.of(config.topics().alerts())).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(config.topics().alerts()).partitions().size();
            }

            try (KafkaStreams streams = new KafkaStreams(AsyncwatchTopology.build(config), props)) {
                streams.start();
                produce(kafka.bootstrapServers(), config, traffic);
                Alert firing = awaitFiring(kafka.bootstrapServers(), config, alertPartitions,
                        () -> "streams state " + streams.state() + ", " + offsets(kafka.bootstrapServers(), APP_ID)
                                + ", dead letters " + deadLetterReasons(kafka.bootstrapServers(), config));

                assertEquals(AlertType.RETRY_STORM, firing.type());
                assertEquals(AlertStatus.FIRING, firing.status());
                assertEquals(Severity.PAGE, firing.severity(), firing.summary());
                assertEquals(STORM_SERVICE, firing.subject().get("service"));
                assertEquals("service", firing.subject().get("layer"));
                assertEquals(Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", STORM_SERVICE)),
                        firing.fingerprint());
                assertEquals(START + STORM_MINUTE * 60_000L, firing.windowStart(), "the storm's first minute");
                assertEquals(firing.windowStart() + 60_000L, firing.windowEnd());
                assertTrue(firing.value() >= 5.0, "multiplier " + firing.value());
                assertEquals(5.0, firing.threshold());
                assertEquals(AlertLifecycle.alertId(firing.fingerprint(), 1, firing.windowStart(),
                        AlertStatus.FIRING, Severity.PAGE, 1), firing.alertId());
                assertNotNull(firing.playbook());
                assertFalse(firing.playbook().isEmpty(), "playbook steps");
                assertNotNull(firing.summary());
                assertTrue(firing.summary().contains(STORM_SERVICE), firing.summary());
                assertFalse(firing.evidence().isEmpty(), "evidence");
                // The real broker with exactly-once and the offline engine run the same graph to the same alert.
                assertEquals(expected, firing);
                // The input is in event-time order per service: nothing may be late or rejected. Only once all of it
                // is processed, through every sub-topology, are all the dead letters it causes in the DLQ.
                awaitDrained(kafka.bootstrapServers(), config);
                assertEquals(List.of(), deadLetterReasons(kafka.bootstrapServers(), config), "dead letters");
            }
        }
    }

    /** The first FIRING alert of the same traffic through the offline replay engine (no broker). */
    private static Alert firstFiringOffline(List<Generated> traffic) throws Exception {
        StringBuilder recording = new StringBuilder();
        for (Generated g : traffic) {
            recording.append(Recording.line(g.topic(), g.timestamp(), g.key(), g.event())).append('\n');
        }
        StringWriter alerts = new StringWriter();
        Replayer.replay(AsyncwatchConfig.fromMap(Map.of()),
                new BufferedReader(new StringReader(recording.toString())), alerts);
        for (String line : alerts.toString().split("\n")) {
            if (!line.isBlank()) {
                Alert a = Json.MAPPER.readValue(line, Alert.class);
                if (a.status() == AlertStatus.FIRING) {
                    assertEquals(STORM_SERVICE, a.subject().get("service"), "offline: first alert is the storm's");
                    return a;
                }
            }
        }
        throw new AssertionError("offline replay produced no FIRING alert:\n" + alerts);
    }

    private static void produce(String bootstrap, AsyncwatchConfig config, List<Generated> traffic) {
        Topics topics = Topics.from(config);
        Map<String, Object> p = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (Generated g : traffic) {
                producer.send(new ProducerRecord<>(Recording.resolveTopic(g.topic(), config.topics()), null,
                        g.timestamp(), g.key(), topics.requestCodec().encode((RequestEvent) g.event())));
            }
            producer.flush();
        }
    }

    /** Reads committed alerts from the beginning until a FIRING RETRY_STORM alert for the storm's service. */
    private static Alert awaitFiring(String bootstrap, AsyncwatchConfig config, int partitions,
                                     Supplier<String> diagnostics) {
        Topics topics = Topics.from(config);
        Map<String, Object> c = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Alert> seen = new ArrayList<>();
        try (KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                topics.alerts().valueSerde().deserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                assigned.add(new TopicPartition(config.topics().alerts(), i));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long deadline = System.nanoTime() + ALERT_DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
                    Alert a = r.value();
                    seen.add(a);
                    assertEquals(a.fingerprint(), r.key(), "alerts are keyed by fingerprint");
                    if (a.type() == AlertType.RETRY_STORM && a.status() == AlertStatus.FIRING
                            && STORM_SERVICE.equals(a.subject().get("service"))) {
                        return a;
                    }
                }
            }
        }
        throw new AssertionError("no FIRING RETRY_STORM alert for " + STORM_SERVICE + " within "
                + ALERT_DEADLINE.toSeconds() + " s; alerts seen: " + seen + "; " + diagnostics.get());
    }

    /**
     * Waits until the application has committed offsets at the end of its input topics, and of its repartition topics
     * as they were: a few rounds, each up to the ends seen when it began, cover every hop from the input to the alerts
     * (clock ticks go on flowing through the repartition topics, so "at the end of all at once" may never be seen on a
     * busy machine). Under exactly-once the offsets commit in the same transaction as the output, so every dead letter
     * caused by the input is then in a committed transaction (whose DLQ marker may still be on its way).
     */
    private static void awaitDrained(String bootstrap, AsyncwatchConfig config) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + DRAIN_DEADLINE.toNanos();
            for (int round = 0; round < DRAIN_ROUNDS; round++) {
                Map<TopicPartition, Long> target = null;
                List<String> behind = List.of("not looked yet");
                while (!behind.isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("not drained within " + DRAIN_DEADLINE.toSeconds() + " s (round "
                                + round + "): " + behind);
                    }
                    if (target != null) {
                        Thread.sleep(200); // the application's commits are another process's: polled
                    }
                    Undrained u = undrained(admin, config, target);
                    target = target == null ? u.ends() : target;
                    behind = u.behind();
                }
            }
        }
    }

    private record Undrained(List<String> behind, Map<TopicPartition, Long> ends) {
    }

    /** The input and repartition partitions not yet committed to {@code target} (null: to their ends now). */
    private static Undrained undrained(Admin admin, AsyncwatchConfig config, Map<TopicPartition, Long> target)
            throws Exception {
        Set<String> repartition = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(APP_ID + "-") && t.endsWith("-repartition")).collect(Collectors.toSet());
        if (repartition.isEmpty()) {
            return new Undrained(List.of("no repartition topic of " + APP_ID + " yet"), null);
        }
        Set<String> topics = new HashSet<>(repartition);
        topics.addAll(List.of(config.topics().requests(), config.topics().heartbeats(), config.topics().clocks()));
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        // Committed, then stable, then end offsets: all only grow, so in this order committed = end held at once.
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APP_ID)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        List<String> behind = new ArrayList<>();
        Map<TopicPartition, Long> now = new HashMap<>();
        ends.forEach((tp, info) -> now.put(tp, info.offset()));
        ends.forEach((tp, info) -> {
            long end = target == null || !target.containsKey(tp) ? info.offset() : target.get(tp);
            OffsetAndMetadata c = committed.get(tp);
            long at = c == null ? 0 : c.offset();
            // A repartition topic is written only in transactions, each ending in a marker the consumer need not
            // commit past. With none open (stable = end) its last offset is such a marker; the input topics are
            // written without transactions, so there one offset short is one record short.
            boolean onlyMarkerLeft = repartition.contains(tp.topic()) && at == end - 1
                    && stable.get(tp).offset() >= end;
            if (at < end && !onlyMarkerLeft) {
                behind.add(tp + " committed " + at + " of " + end + " (stable " + stable.get(tp).offset() + ")");
            }
        });
        return new Undrained(behind, now);
    }

    /**
     * Every committed dead letter's reason. Read to the log end, not to the last stable offset (where a
     * read_committed consumer's end offsets stop): that would silently skip a transaction still open.
     */
    private static List<String> deadLetterReasons(String bootstrap, AsyncwatchConfig config) {
        Map<String, Object> c = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> reasons = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                     Topics.from(config).dlq().valueSerde().deserializer())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            consumer.partitionsFor(config.topics().dlq()).forEach(p -> latest.put(
                    new TopicPartition(p.topic(), p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp,
                    info.offset()));
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DeadLetter> r : consumer.poll(Duration.ofMillis(200))) {
                    reasons.add(r.value().reason());
                }
            }
            ends.forEach((tp, end) -> {
                if (consumer.position(tp) < end) {
                    reasons.add("(" + tp + " read only to " + consumer.position(tp) + " of " + end + ")");
                }
            });
        } catch (Exception e) {
            reasons.add("(cannot read the DLQ: " + e + ")");
        }
        return reasons;
    }

    /** End offsets and the application's committed offsets per topic, for a failure message. */
    private static String offsets(String bootstrap, String applicationId) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get()
                    .values()) {
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()),
                        OffsetSpec.latest()));
            }
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.merge(tp.topic(), info.offset(),
                    Long::sum));
            Map<String, Long> committed = new TreeMap<>();
            admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, om) -> committed.merge(tp.topic(), om == null ? 0 : om.offset(), Long::sum));
            return "end offsets " + ends + ", committed offsets " + committed;
        } catch (Exception e) {
            return "(no offsets: " + e + ")";
        }
    }
}
