package io.asyncwatch.alertmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded incident's alerts through the sink into the real Alertmanager: the storm shows there as one alert in its
 * group while it fires, whatever the re-sends and its escalation, and is gone once RESOLVED; an Alertmanager that is
 * down is retried, nothing lost.
 */
class AlertmanagerTest {

    // The wall clock of the sends, fixed. Alertmanager judges endsAt by its own clock, so it lies far ahead (2096): the
    // firing alerts stay active there whenever the test runs, the incident's RESOLVED ones end in its past.
    private static final long NOW = 4_000_000_000_000L;

    private static List<Alert> incident() throws IOException {
        List<Alert> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/incidents/checkout-retry-storm/"
                + "expected-alerts.jsonl"))) {
            if (!line.isBlank()) {
                out.add(Json.MAPPER.readValue(line, Alert.class));
            }
        }
        return out;
    }

    private static AlertmanagerSink sink(int port) {
        return AlertmanagerSink.manual(AsyncwatchConfig.fromMap(Map.of("asyncwatch.alertmanager.url",
                "http://127.0.0.1:" + port, "asyncwatch.alertmanager.resend-ms", "60000")),
                "http://127.0.0.1:8420/#panel-retry-storm");
    }

    /** Our alerts Alertmanager holds as active. */
    private static List<JsonNode> active(int port, int expected) throws Exception {
        String body = ExternalTool.awaitGet("http://127.0.0.1:" + port + "/api/v2/alerts?active=true",
                b -> count(b) == expected, Duration.ofSeconds(20));
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(body).forEach(a -> {
            if ("asyncwatch".equals(a.get("labels").path("source").asText())) {
                out.add(a);
            }
        });
        return out;
    }

    private static int count(String body) {
        try {
            int n = 0;
            for (JsonNode a : Json.MAPPER.readTree(body)) {
                n += "asyncwatch".equals(a.get("labels").path("source").asText()) ? 1 : 0;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    @Timeout(120)
    void anIncidentShowsGroupedInAlertmanagerAsOneAlertAndResolves(@TempDir Path tmp) throws Exception {
        Path binary = ExternalTool.require("prometheus-alertmanager", "prometheus-alertmanager");
        int port = ExternalTool.freePort();
        Path yml = tmp.resolve("alertmanager.yml");
        Files.writeString(yml, """
                route:
                  receiver: nobody
                  group_by: ['alertname']
                  group_wait: 1s
                  group_interval: 1s
                receivers:
                  - name: nobody
                """);
        List<Alert> storm = new ArrayList<>(incident().stream().filter(a -> a.type() == AlertType.RETRY_STORM)
                .toList());
        // The recorded storm pages at once; a minute of WARN before it makes it an escalation too.
        Alert page = storm.get(0);
        storm.add(0, new Alert("warn-1", page.fingerprint(), page.type(), io.asyncwatch.model.Severity.WARN,
                AlertStatus.FIRING, page.subject(), "Retry storm starting", 2.5, 2.0, page.windowStart() - 60_000,
                page.windowStart(), page.evidence(), page.playbook()));
        int resolvedAt = storm.indexOf(storm.stream().filter(a -> a.status() == AlertStatus.RESOLVED).findFirst()
                .orElseThrow());
        assertTrue(resolvedAt >= 2, "the incident fires, escalates, then resolves: " + storm);
        AlertmanagerSink sink = sink(port);

        // Alertmanager is not up yet: the first sends fail, are kept and retried.
        sink.take(storm.get(0), NOW, NOW);
        sink.flush(NOW);
        assertEquals(1, sink.failures());

        try (ExternalTool am = ExternalTool.start(List.of(binary.toString(), "--config.file=" + yml,
                "--storage.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), tmp.resolve("alertmanager.log"))) {
            ExternalTool.awaitGet("http://127.0.0.1:" + port + "/-/ready", b -> true, Duration.ofSeconds(30));
            for (int i = 1; i < resolvedAt; i++) {
                sink.take(storm.get(i), NOW + i, NOW + i);
            }
            sink.flush(NOW + 1_000); // after the backoff: the kept alert and the escalation in one request
            sink.flush(NOW + 61_000); // a re-send
            sink.flush(NOW + 122_000); // and another
            List<JsonNode> firing = active(port, 1);
            assertEquals(1, firing.size(), "one alert for the episode, whatever the re-sends and the escalation: "
                    + firing + "\n" + am.log());
            JsonNode a = firing.get(0);
            Alert last = storm.get(resolvedAt - 1);
            assertEquals("RETRY_STORM", a.get("labels").get("alertname").asText());
            assertEquals(last.subject().get("service"), a.get("labels").get("service").asText());
            assertEquals(last.severity().name().toLowerCase(), a.get("labels").get("severity").asText());
            assertEquals(last.summary(), a.get("annotations").get("summary").asText());
            assertTrue(a.get("annotations").get("playbook").asText().startsWith("1. "), a.toString());
            assertEquals("http://127.0.0.1:8420/#panel-retry-storm", a.get("generatorURL").asText());
            assertEquals("page", a.get("labels").get("severity").asText(), "the escalation replaced the WARN one");
            assertEquals(java.time.Instant.ofEpochMilli(storm.get(0).windowStart()),
                    java.time.Instant.parse(a.get("startsAt").asText()), "the episode's start, the WARN's");

            String groups = ExternalTool.awaitGet("http://127.0.0.1:" + port + "/api/v2/alerts/groups",
                    b -> b.contains("RETRY_STORM"), Duration.ofSeconds(20));
            JsonNode group = null;
            for (JsonNode g : Json.MAPPER.readTree(groups)) {
                if ("RETRY_STORM".equals(g.get("labels").path("alertname").asText())) {
                    group = g;
                }
            }
            assertTrue(group != null && group.get("alerts").size() == 1, "grouped by alertname: " + groups);

            for (int i = resolvedAt; i < storm.size(); i++) {
                sink.take(storm.get(i), NOW + 130_000 + i, NOW + 130_000 + i);
            }
            sink.flush(NOW + 131_000);
            assertEquals(List.of(), active(port, 0), "RESOLVED ends it");
            // Per request, one message per alert at Alertmanager, the newest: the kept WARN (resolved by then by the
            // escalation) and the PAGE; a re-send; another; the RESOLVED.
            assertEquals(2 + 1 + 1 + 1, sink.sent());
        }
    }
}
