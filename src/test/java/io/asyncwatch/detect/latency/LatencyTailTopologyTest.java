package io.asyncwatch.detect.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.Status;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.FullTopology;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency-tail detector alone (findings, the truth-panel metric), and through the alert stage. */
class LatencyTailTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private int ids;

    private RequestEvent call(String service, String destination, long ts, double latencyMs) {
        Status status = latencyMs >= 1000 ? Status.TIMEOUT : Status.SUCCESS;
        return new RequestEvent(String.format("%s-%06d", service, ids++), ts, service, "service", service + "-0",
                destination, "GET /x", 1, null, status, Math.min(latencyMs, 1000), 1000L, null, null, null, null,
                Kind.CALL, null, null, null, null);
    }

    /**
     * {@code minutes} of 120 calls a minute on svc-a -> db-a: 20 ms, every 40th call 35 ms; from {@code tailFrom}
     * to {@code tailTo} (minutes) every 20th call takes 1 s instead (a 5 % tail that times out).
     */
    private List<RequestEvent> traffic(int minutes, int tailFrom, int tailTo) {
        List<RequestEvent> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            boolean tail = m >= tailFrom && m < tailTo;
            for (int i = 0; i < 120; i++) {
                double latency = tail && i % 20 == 7 ? 1000 : i % 40 == 3 ? 35 : 20;
                out.add(call("svc-a", "db-a", T0 + m * M + i * 500, latency));
            }
        }
        return out;
    }

    @Test
    void aTailAgainstACalmBaselineAlertsWithTheTruthPanel() {
        try (DetectorHarness h = new DetectorHarness(new LatencyTail(), Map.of())) {
            h.send(traffic(20, 15, 16));
            h.silence();
            List<Finding> firing = h.findings().stream().filter(f -> !f.isClear()).toList();
            assertEquals(1, firing.size(), firing.toString());
            Finding f = firing.get(0);
            assertEquals("LATENCY_TAIL{destination=\"db-a\",service=\"svc-a\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity(), "p99 1 s / p50 20 ms = 50x: ALERT (>= 10x), not PAGE");
            assertEquals(T0 + 15 * M, f.windowStart());
            assertEquals(50, f.value(), 50 * 0.03, "within the sketch's accuracy on both quantiles");
            assertTrue(f.summary().contains("svc-a -> db-a") && f.summary().contains("p99 1.00 s"), f.summary());
            assertTrue(f.summary().contains("5.0% of calls reached their 1.00 s timeout"), f.summary());
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("slowest call: svc-a-")), f.evidence()
                    .toString());
            List<Metric> points = h.metrics().stream().filter(m -> m.metric().equals("latency")).toList();
            assertEquals(20, points.size(), "one truth panel per path and minute");
            Metric tail = points.stream().filter(m -> m.windowStart() == T0 + 15 * M).findFirst().orElseThrow();
            assertEquals(120.0, tail.values().get("calls"));
            assertEquals(20.0, tail.values().get("p50Ms"), 20 * 0.01);
            assertEquals(1000.0, tail.values().get("p99Ms"), 1000 * 0.01);
            assertEquals(0.05, tail.values().get("aboveTimeoutShare"), 1e-9);
            assertEquals("TAIL", tail.attributes().get("verdict"));
            Metric first = points.stream().filter(m -> m.windowStart() == T0).findFirst().orElseThrow();
            assertEquals("NO_BASELINE", first.attributes().get("verdict"));
        }
    }

    @Test
    void aPathThatIsAlwaysHeavyTailedStaysQuiet() {
        try (DetectorHarness h = new DetectorHarness(new LatencyTail(), Map.of())) {
            h.send(traffic(20, 0, 20));
            h.silence();
            assertEquals(List.of(), h.findings().stream().filter(f -> !f.isClear()).toList());
            assertTrue(h.metrics().stream().filter(m -> m.windowStart() >= T0 + 10 * M)
                    .allMatch(m -> m.attributes().get("verdict").equals("USUAL_TAIL")));
        }
    }

    @Test
    void outOfOrderWithinGraceGivesTheSameFindings() {
        List<RequestEvent> ordered = traffic(20, 15, 16);
        List<RequestEvent> shuffled = new ArrayList<>(ordered);
        // Swap neighbours 10 s apart: every event is at most 10 s out of order (grace is 30 s).
        shuffled.sort(Comparator.comparingLong(e -> e.timestamp() / 10_000 * 10_000
                + (e.timestamp() / 10_000 % 2 == 0 ? 10_000 : -10_000) + e.timestamp() % 10_000));
        try (DetectorHarness a = new DetectorHarness(new LatencyTail(), Map.of());
             DetectorHarness b = new DetectorHarness(new LatencyTail(), Map.of())) {
            a.send(ordered);
            a.silence();
            b.send(shuffled);
            b.silence();
            assertEquals(a.findings(), b.findings());
            assertEquals(a.metrics(), b.metrics());
        }
    }

    @Test
    void overTheDestinationCapTheBusiestAreKeptWhateverArrivesFirst() {
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long ts = T0 + i * 1000;
            if (i < 10) {
                events.add(call("svc-a", "rare", ts, 20)); // the first to arrive, the least called
            }
            events.add(call("svc-a", "busy", ts + 1, 20));
            if (i % 2 == 0) {
                events.add(call("svc-a", "medium", ts + 2, 20));
            }
        }
        try (DetectorHarness h = new DetectorHarness(new LatencyTail(),
                Map.of("asyncwatch.call-windows.max-destinations", "2"))) {
            h.send(events);
            h.silence();
            Map<String, Double> calls = new java.util.TreeMap<>();
            h.metrics().forEach(m -> calls.put(m.labels().get("destination"), m.values().get("calls")));
            assertEquals(Map.of("busy", 60.0, "(other)", 40.0), calls, "medium and rare counted together");
        }
    }

    @Test
    void oneEpisodeThatResolvesWhenTheTailIsGone() {
        try (FullTopology t = new FullTopology()) {
            t.send(traffic(25, 14, 17));
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.LATENCY_TAIL).toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), alerts.toString());
            assertEquals(T0 + 14 * M, alerts.get(0).windowStart());
            assertTrue(alerts.get(1).windowEnd() > T0 + 17 * M, "resolved after clear windows");
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("p99")));
        }
    }
}
