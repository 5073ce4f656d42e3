package io.asyncwatch.alertmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmAlertsTest {

    private static final long T = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();

    private static Alert alert(Severity severity, AlertStatus status, Map<String, String> subject, long start,
                               long end) {
        return new Alert("id-" + severity + status, "fp-1", AlertType.CLOCK_SKEW, severity, status, subject,
                "skew", 120.0, 50.0, start, end, List.of(), List.of());
    }

    private static long millis(ObjectNode m, String field) {
        return Instant.parse(m.get(field).asText()).toEpochMilli();
    }

    @Test
    void labelNamesAreValidAndNeverOverwriteAsyncwatchsOwn() {
        assertEquals("node_id", AmAlerts.labelName("node-id"));
        assertEquals("_2pc", AmAlerts.labelName("2pc"));
        assertEquals("_", AmAlerts.labelName(""));
        assertEquals("subject_severity", AmAlerts.labelName("severity"));
        assertEquals("subject_alertname", AmAlerts.labelName("alertname"));

        ObjectNode m = new AmAlerts(10, "").apply(alert(Severity.WARN, AlertStatus.FIRING,
                Map.of("severity", "db-tier", "node.id", "n1"), T, T + 60_000), T + 60_000, T + 300_000).get(0);
        assertEquals("warn", m.get("labels").get("severity").asText());
        assertEquals("db-tier", m.get("labels").get("subject_severity").asText());
        assertEquals("n1", m.get("labels").get("node_id").asText());
        m.get("labels").fieldNames().forEachRemaining(n -> assertTrue(n.matches("[a-zA-Z_][a-zA-Z0-9_]*"), n));
    }

    @Test
    void aMonitoredClockAheadOfTheWallClockNeitherStartsNorEndsAnAlertInTheFuture() {
        AmAlerts alerts = new AmAlerts(10, "");
        long wall = T;
        // The episode is stamped by a clock ten minutes fast.
        ObjectNode firing = alerts.apply(alert(Severity.ALERT, AlertStatus.FIRING, Map.of("node", "n1"),
                T + 600_000, T + 660_000), wall, wall + 240_000).get(0);
        assertEquals(wall, millis(firing, "startsAt"));
        assertEquals(wall + 240_000, millis(firing, "endsAt"));

        ObjectNode resolved = alerts.apply(alert(Severity.ALERT, AlertStatus.RESOLVED, Map.of("node", "n1"),
                T + 600_000, T + 720_000), wall + 5_000, wall + 245_000).get(0);
        assertEquals(wall, millis(resolved, "startsAt"), "the episode keeps its start");
        assertEquals(wall + 5_000, millis(resolved, "endsAt"), "ended now, not in the future");
        assertEquals(0, alerts.firingCount());
    }

    @Test
    void anEpisodeThatEndsBeforeTheClampedStartEndsAtItsStart() {
        AmAlerts alerts = new AmAlerts(10, "");
        alerts.apply(alert(Severity.WARN, AlertStatus.FIRING, Map.of("node", "n1"), T + 600_000, T + 660_000), T,
                T + 240_000);
        // Resolved (by a slow clock this time) before the wall-clock start it was given.
        ObjectNode resolved = alerts.apply(alert(Severity.WARN, AlertStatus.RESOLVED, Map.of("node", "n1"),
                T - 600_000, T - 300_000), T + 1_000, T + 241_000).get(0);
        assertEquals(millis(resolved, "startsAt"), millis(resolved, "endsAt"));
    }

    @Test
    void anEscalationResolvesTheLowerLabelSetAndKeepsTheStart() {
        AmAlerts alerts = new AmAlerts(10, "");
        alerts.apply(alert(Severity.WARN, AlertStatus.FIRING, Map.of("node", "n1"), T, T + 60_000), T + 60_000,
                T + 300_000);
        List<ObjectNode> out = alerts.apply(alert(Severity.PAGE, AlertStatus.FIRING, Map.of("node", "n1"), T + 60_000,
                T + 120_000), T + 120_000, T + 360_000);
        assertEquals(2, out.size());
        assertEquals("warn", out.get(0).get("labels").get("severity").asText());
        assertEquals(T + 60_000, millis(out.get(0), "endsAt"));
        assertEquals("page", out.get(1).get("labels").get("severity").asText());
        assertEquals(T, millis(out.get(1), "startsAt"));
        assertEquals(1, alerts.firingCount());
        assertTrue(!AmAlerts.key(out.get(0)).equals(AmAlerts.key(out.get(1))));
    }

    @Test
    void firingEpisodesAreBoundedOldestForgottenFirst() {
        AmAlerts alerts = new AmAlerts(2, "");
        for (int i = 0; i < 3; i++) {
            Alert a = new Alert("id" + i, "fp" + i, AlertType.CLOCK_SKEW, Severity.WARN, AlertStatus.FIRING,
                    Map.of("node", "n" + i), "skew", 1.0, 1.0, T, T + 1, List.of(), List.of());
            alerts.apply(a, T + 10, T + 100);
        }
        assertEquals(2, alerts.firingCount());
        assertEquals(1, alerts.dropped());
        List<String> nodes = alerts.resend(T + 200).stream().map(m -> m.get("labels").get("node").asText()).toList();
        assertEquals(List.of("n1", "n2"), nodes);
    }
}
