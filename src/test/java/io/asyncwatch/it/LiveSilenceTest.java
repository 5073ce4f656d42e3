package io.asyncwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.BrokerIo;
import io.asyncwatch.testing.InterceptKafkaExit;
import io.asyncwatch.testing.Requests;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Silence, live: every producer stops in the middle of a retry storm, nothing more arrives, and the wall clock
 * alone closes the storm's last window and resolves it, with the alerts replay gives for the same records. Short
 * windows (5 s) so that the silence takes seconds, not minutes.
 */
@ExtendWith(InterceptKafkaExit.class)
class LiveSilenceTest {

    private static final long T0 = Requests.T0;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static final Map<String, String> SHORT_WINDOWS = Map.of(
            "asyncwatch.retry-storm.window-ms", "5000",
            "asyncwatch.call-windows.window-ms", "5000",
            "asyncwatch.retry-storm.baseline-ms", "60000",
            "asyncwatch.retry-storm.min-window-attempts", "20",
            "asyncwatch.retry-storm.min-baseline-attempts", "100",
            "asyncwatch.event-time.grace-ms", "2000",
            "asyncwatch.event-time.max-ahead-ms", "2000",
            "asyncwatch.event-time.idle-ms", "500",
            "asyncwatch.alerts.resolve-after-windows", "2");

    /** One event every 25 ms: a minute at a 2 % retry share, then two 5-second windows at 40 %, then nothing. */
    private static List<String> recording() {
        Requests r = new Requests();
        List<String> lines = new ArrayList<>();
        int n = 0;
        for (long t = T0; t < T0 + 70_000; t += 25, n++) {
            boolean storm = t >= T0 + 60_000;
            boolean retry = storm ? n % 5 < 2 : n % 50 == 0;
            RequestEvent e = r.attempt("svc-a", "service", t, retry ? 2 : 1);
            lines.add(Recording.line("requests", t, e.service(), e));
        }
        return lines;
    }

    @Test
    @Timeout(120)
    void wallClockSilenceResolvesAStormWhoseServiceStoppedAsReplayDoes(@TempDir Path tmp) throws Exception {
        List<String> lines = recording();
        StringWriter replayed = new StringWriter();
        Replayer.replay(AsyncwatchConfig.fromMap(SHORT_WINDOWS),
                new BufferedReader(new StringReader(String.join("\n", lines))), replayed);
        List<Alert> expected = new ArrayList<>();
        for (String line : replayed.toString().split("\n")) {
            if (!line.isBlank()) {
                expected.add(Json.MAPPER.readValue(line, Alert.class));
            }
        }
        List<Alert> storm = expected.stream().filter(a -> a.type() == AlertType.RETRY_STORM).toList();
        assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), storm.stream().map(Alert::status).toList(),
                "replay: " + expected);
        assertTrue(storm.get(1).summary().contains("went quiet"), storm.get(1).summary());
        // The retried attempts timed out: the timeouts detector (whose windows close on every service task's clock,
        // then on the slowest of those) must go quiet by wall-clock silence too.
        assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), expected.stream()
                .filter(a -> a.type() == AlertType.TIMEOUT_EFFECTIVENESS).map(Alert::status).toList(),
                "replay: " + expected);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"),
                Map.of("log.initial.task.delay.ms", "600000"))) {
            Map<String, String> settings = new HashMap<>(SHORT_WINDOWS);
            settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-live-silence");
            settings.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(settings);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                StreamsRunner.createTopics(admin, config);
            }
            try (KafkaStreams streams = new KafkaStreams(AsyncwatchTopology.build(config),
                    StreamsRunner.streamsProperties(config))) {
                streams.start();
                BrokerIo.produce(kafka.bootstrapServers(), config, lines);
                List<Alert> live = BrokerIo.awaitAlerts(kafka.bootstrapServers(), config, expected.size(), DEADLINE);
                assertEquals(byFingerprint(expected), byFingerprint(live),
                        "the same alerts, ids included, with nothing after the last record");
            }
        }
    }

    /** Alerts per fingerprint in order: across fingerprints the live order depends on partitions and tasks. */
    private static Map<String, List<Alert>> byFingerprint(List<Alert> alerts) {
        Map<String, List<Alert>> out = new TreeMap<>();
        alerts.forEach(a -> out.computeIfAbsent(a.fingerprint(), k -> new ArrayList<>()).add(a));
        return out;
    }
}
