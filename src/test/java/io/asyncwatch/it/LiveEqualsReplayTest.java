package io.asyncwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.DeathSpiral;
import io.asyncwatch.demo.DuplicateWrites;
import io.asyncwatch.demo.TimeTravel;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.demo.TrafficGenerator.Storm;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.replay.Recorder;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.BrokerIo;
import io.asyncwatch.testing.InterceptKafkaExit;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same records through the live application on a real broker (exactly-once, produced as fast as the broker
 * takes them, several partitions) and through {@code replay}: the same alerts, ids included. The recording is
 * awkward on purpose: requests are published 20 s after their payload timestamp, heartbeats and clock readings
 * carry times an hour ahead of the requests, and it holds a retry storm, duplicate writes, events stamped before
 * their causes (the causality lookups cross partitions) and a traced death spiral (its spans cross partitions to
 * their trace's task in batches gathered between commits).
 */
@ExtendWith(InterceptKafkaExit.class)
class LiveEqualsReplayTest {

    /** 2023-11-14T22:13:00Z: fixed, minute-aligned. */
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 60_000L;
    private static final long PUBLISH_DELAY_MS = 20_000;
    private static final long OTHER_TOPICS_AHEAD_MS = 3_600_000;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private static final Plan PLAN = new Plan(START, 30,
            List.of(new Service("svc-pay", "service", "db-pay", 200, 0.02, 0.5),
                    new Service("db-pay", "database", null, 150, 0.01),
                    new Service("svc-stock", "service", "db-pay", 120, 0.02)),
            TrafficGenerator.twoClusters(),
            List.of(new Storm("svc-pay", 8, List.of(12.0, 15.0, 12.0)), new DuplicateWrites("svc-pay", "db-pay", 12,
                    13, 4), new TimeTravel("svc-pay", "svc-stock", "svc-stock-7", 17, 17, 2_000, 900),
                    new DeathSpiral("svc-stock", "svc-pay", "db-pay", 15, 15, 3)),
            11L);

    /** The recording as it was appended: publish delay on requests, the other topics an hour ahead. */
    static List<String> recording() {
        List<String> lines = new ArrayList<>();
        for (Iterator<Generated> it = TrafficGenerator.events(PLAN); it.hasNext(); ) {
            Generated g = it.next();
            Object event = g.event();
            long recordTime;
            if (event instanceof RequestEvent) {
                recordTime = g.timestamp() + PUBLISH_DELAY_MS;
            } else if (event instanceof HeartbeatEvent h) {
                event = new HeartbeatEvent(h.eventId(), h.node(), h.cluster(), h.timestamp() + OTHER_TOPICS_AHEAD_MS,
                        h.sequence(), h.role(), h.term(), h.intervalMs());
                recordTime = g.timestamp() + OTHER_TOPICS_AHEAD_MS;
            } else {
                ClockEvent c = (ClockEvent) event;
                event = new ClockEvent(c.eventId(), c.node(), c.cluster(), c.timestamp() + OTHER_TOPICS_AHEAD_MS,
                        c.offsetMs(), c.driftPpm(), c.syncOk(), c.lamport(), c.vectorClock());
                recordTime = g.timestamp() + OTHER_TOPICS_AHEAD_MS;
            }
            lines.add(Recording.line(g.topic(), recordTime, g.key(), event));
        }
        // Bad input rides along (dead letters, no alerts): garbage text, and bytes that are not UTF-8.
        lines.add(lines.size() / 2, Recording.rawLine("requests", START + 600_000, "svc-pay",
                "not an event".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        lines.add(lines.size() / 2, Recording.rawLine("requests", START + 601_000, "svc-pay",
                new byte[] {(byte) 0xC3, 0x28, 0x00, (byte) 0xFF}));
        return lines;
    }

    /** A standup summary every 10 minutes of event time, published 2 minutes after its end: several in 30 minutes. */
    private static final Map<String, String> STANDUP = Map.of(
            "asyncwatch.standup.rolling-every-ms", "600000",
            "asyncwatch.standup.bucket-ms", "60000",
            "asyncwatch.standup.settle-ms", "120000",
            // The live tasks here start within a few seconds of each other (more on a loaded machine): no need to
            // wait the default 30 s.
            "asyncwatch.standup.warmup-ms", "10000");

    @Test
    @Timeout(180)
    void theLiveApplicationAndReplayGiveTheSameAlertsForTheSameRecords(@TempDir Path tmp) throws Exception {
        List<String> lines = recording();
        StringWriter replayed = new StringWriter();
        List<StandupSummary> replayedStandups = new ArrayList<>();
        Replayer.replay(AsyncwatchConfig.fromMap(STANDUP),
                new BufferedReader(new StringReader(String.join("\n", lines))), new Replayer.Listener() {
                    @Override
                    public void alert(Alert a) {
                        replayed.write(Json.writeString(a) + "\n");
                    }

                    @Override
                    public void standup(StandupSummary s) {
                        replayedStandups.add(s);
                    }
                });
        List<Alert> expected = new ArrayList<>();
        for (String line : replayed.toString().split("\n")) {
            if (!line.isBlank()) {
                expected.add(Json.MAPPER.readValue(line, Alert.class));
            }
        }
        assertTrue(expected.stream().anyMatch(a -> a.type() == AlertType.RETRY_STORM), "replay: " + expected);
        assertTrue(expected.stream().anyMatch(a -> a.type() == AlertType.DUPLICATE_OPERATION), "replay: " + expected);
        assertTrue(expected.stream().anyMatch(a -> a.type() == AlertType.CAUSALITY_VIOLATION), "replay: " + expected);
        assertTrue(expected.stream().anyMatch(a -> a.type() == AlertType.CASCADE_TIMEOUT), "replay: " + expected);

        Map<String, String> broker = Map.of("log.initial.task.delay.ms", "600000");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), broker)) {
            Map<String, String> settings = new TreeMap<>(STANDUP);
            settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-live-replay");
            settings.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(settings);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                StreamsRunner.createTopics(admin, config);
            }
            Properties props = StreamsRunner.streamsProperties(config);
            StreamsRunner.expectUpstreamPartitions(props, config); // as 'run' does
            try (KafkaStreams streams = new KafkaStreams(AsyncwatchTopology.build(config), props)) {
                streams.start();
                BrokerIo.produce(kafka.bootstrapServers(), config, lines);
                List<Alert> live = BrokerIo.awaitAlerts(kafka.bootstrapServers(), config, expected.size(), DEADLINE);
                assertEquals(byFingerprint(expected), byFingerprint(live));

                // The standup summaries whose periods ended, plus settle, before the last request (the slowest
                // input) are published live once it is processed: the same ones, in order, with the same numbers.
                long lastRequest = lines.stream().map(Recording::parse).filter(x -> x.topic().equals("requests"))
                        .mapToLong(Recording::timestamp).max().orElseThrow();
                List<StandupSummary> due = replayedStandups.stream()
                        .filter(x -> x.periodEnd() + 120_000 <= lastRequest - 60_000).toList();
                assertTrue(due.size() >= 2, "replay published " + replayedStandups.size() + " summaries");
                List<StandupSummary> liveStandups = BrokerIo.awaitStandups(kafka.bootstrapServers(), config,
                        due.size(), DEADLINE);
                assertEquals(due, liveStandups.subList(0, Math.min(due.size(), liveStandups.size())));

                // asyncwatch record: the input topics back into a recording, which replays to the live alerts.
                StringWriter recorded = new StringWriter();
                Recorder.Result r = Recorder.record(config, List.of("requests", "heartbeats", "clocks"),
                        Recorder.parse("earliest", true, java.time.Clock.systemUTC()),
                        Recorder.parse("latest", false, java.time.Clock.systemUTC()), recorded,
                        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                Map<String, Long> byTopic = new TreeMap<>();
                lines.stream().map(Recording::parse).forEach(x -> byTopic.merge(x.topic(), 1L, Long::sum));
                Map<String, Long> held = new TreeMap<>();
                BrokerIo.recordsHeld(kafka.bootstrapServers(), byTopic.keySet().stream()
                        .map(t -> Recording.resolveTopic(t, config.topics())).toList())
                        .forEach((full, n) -> byTopic.keySet().stream()
                                .filter(t -> Recording.resolveTopic(t, config.topics()).equals(full))
                                .forEach(t -> held.put(t, n)));
                assertEquals(byTopic, held, "what the broker holds of each input topic");
                assertEquals(byTopic, new TreeMap<>(r.byTopic()), "every record, the bad ones included");
                assertEquals(lines.size(), r.records());
                StringWriter fromRecording = new StringWriter();
                Replayer.Summary replayedRecording = Replayer.replay(AsyncwatchConfig.fromMap(STANDUP),
                        new BufferedReader(new StringReader(recorded.toString())), fromRecording);
                assertEquals(2, replayedRecording.deadLetters(), replayedRecording.deadLetterReasons().toString());
                List<Alert> again = new ArrayList<>();
                for (String line : fromRecording.toString().split("\n")) {
                    if (!line.isBlank()) {
                        again.add(Json.MAPPER.readValue(line, Alert.class));
                    }
                }
                assertEquals(byFingerprint(live), byFingerprint(again), "record, then replay = live");

                // A range of record time: only what was appended within it.
                long from = START + 10 * 60_000L;
                long to = START + 12 * 60_000L;
                StringWriter span = new StringWriter();
                Recorder.record(config, List.of("requests"), new Recorder.Bound(from, Map.of(), "from"),
                        new Recorder.Bound(to, Map.of(), "to"), span,
                        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                long expectedInSpan = lines.stream().map(Recording::parse)
                        .filter(x -> x.topic().equals("requests") && x.timestamp() >= from && x.timestamp() < to)
                        .count();
                List<String> spanLines = span.toString().lines().toList();
                assertEquals(expectedInSpan, spanLines.size());
                assertTrue(spanLines.stream().map(Recording::parse)
                        .allMatch(x -> x.timestamp() >= from && x.timestamp() < to));
            }
        }
    }

    /** Alerts per fingerprint in order: across fingerprints the live order depends on partitions. */
    private static Map<String, List<String>> byFingerprint(List<Alert> alerts) {
        Map<String, List<String>> out = new TreeMap<>();
        alerts.forEach(a -> out.computeIfAbsent(a.fingerprint(), k -> new ArrayList<>()).add(Json.writeString(a)));
        return out;
    }
}
