package io.asyncwatch.detect.timeouts;

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

/** The timeouts detector alone (effectiveness, ladder, configured-timeout cascades), and through the alert stage. */
class TimeoutsTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private int ids;

    private RequestEvent call(String service, String layer, String destination, long ts, Status status,
                              double latencyMs, long timeoutMs) {
        return new RequestEvent(String.format("%s-%06d", service, ids++), ts, service, layer, service + "-0",
                destination, "call", 1, null, status, latencyMs, timeoutMs, null, null, null, null, Kind.CALL, null,
                null, null, null);
    }

    /**
     * 60 calls a minute: svc-order -> db-orders (1 s timeout) at 20 ms; from {@code badFrom} to {@code badTo}
     * 60 % of them time out at 1 s. The gateway calls svc-order with a 5 s timeout.
     */
    private List<RequestEvent> traffic(int minutes, int badFrom, int badTo) {
        List<RequestEvent> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            boolean bad = m >= badFrom && m < badTo;
            for (int i = 0; i < 60; i++) {
                long ts = T0 + m * M + i * 1000;
                boolean timeout = bad && i % 5 < 3;
                out.add(call("svc-order", "service", "db-orders", ts, timeout ? Status.TIMEOUT : Status.SUCCESS,
                        timeout ? 1000 : 20, 1000));
                out.add(call("api-gateway", "api-gateway", "svc-order", ts, Status.SUCCESS, 40, 5000));
            }
        }
        out.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return out;
    }

    @Test
    void aServiceWhoseCallsMostlyTimeOutWarnsWithItsFixRung() {
        try (DetectorHarness h = new DetectorHarness(new Timeouts(), Map.of())) {
            h.send(traffic(10, 5, 6));
            h.silence();
            List<Finding> firing = h.findings().stream().filter(f -> !f.isClear()).toList();
            assertEquals(1, firing.size(), firing.toString());
            Finding f = firing.get(0);
            assertEquals("TIMEOUT_EFFECTIVENESS{service=\"svc-order\"}", f.fingerprint());
            assertEquals(Severity.WARN, f.severity());
            assertEquals(0.4, f.value(), 1e-9);
            assertEquals(T0 + 5 * M, f.windowStart());
            assertTrue(f.summary().contains("40% success, 60% timeout, 0% error of 60 attempts"), f.summary());
            assertTrue(f.summary().contains("timeout ladder says FIX toward db-orders"), f.summary());
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("timeout ladder -> db-orders: configured"
                    + " 1.0 s, recommended 2.1 s") && e.endsWith("FIX")), f.evidence().toString());
        }
    }

    @Test
    void aDatabaseTimingOutOnItsOwnRequestsNamesThemNotAnEmptyDestination() {
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            for (int i = 0; i < 60; i++) {
                boolean timeout = m == 5 && i % 5 < 3;
                events.add(call("db-orders", "database", null, T0 + m * M + i * 1000,
                        timeout ? Status.TIMEOUT : Status.SUCCESS, timeout ? 500 : 10, 500));
            }
        }
        try (DetectorHarness h = new DetectorHarness(new Timeouts(), Map.of())) {
            h.send(events);
            h.silence();
            List<Finding> firing = h.findings().stream().filter(f -> !f.isClear()).toList();
            assertEquals(1, firing.size(), firing.toString());
            Finding f = firing.get(0);
            assertTrue(f.summary().endsWith("timeout ladder says FIX on its own requests (no destination)"),
                    f.summary());
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith(
                    "timeout ladder -> its own requests (no destination): configured 500 ms") && e.endsWith("FIX")),
                    f.evidence().toString());
            assertTrue(h.metrics().stream().anyMatch(m -> m.metric().equals("timeout_ladder")
                    && m.labels().get("destination").equals("(none)")), "the metric's label stays (none)");
        }
    }

    @Test
    void theLadderAndTheGridArePublishedEveryWindow() {
        try (DetectorHarness h = new DetectorHarness(new Timeouts(), Map.of())) {
            h.send(traffic(10, 5, 6));
            h.silence();
            List<Metric> metrics = h.metrics();
            List<Metric> ladder = metrics.stream().filter(m -> m.metric().equals("timeout_ladder")
                    && m.labels().get("service").equals("svc-order")).toList();
            assertEquals(10, ladder.size());
            Metric calm = ladder.get(0);
            assertEquals(1000.0, calm.values().get("configuredMs"));
            assertEquals(2 * calm.values().get("p99Ms") + 100, calm.values().get("recommendedMs"), 1e-9);
            assertEquals("REVIEW", calm.attributes().get("action"), "1 s against a 20 ms p99: wasting resources");
            Metric gateway = metrics.stream().filter(m -> m.metric().equals("timeout_ladder")
                    && m.labels().get("service").equals("api-gateway")).findFirst()
                    .orElseThrow();
            assertEquals(1000.0, gateway.values().get("downstreamTimeoutMs"),
                    "svc-order's own timeout toward db-orders is the gateway's downstream timeout");
            Metric grid = metrics.stream().filter(m -> m.metric().equals("timeout_effectiveness")
                    && m.windowStart() == T0 + 5 * M && m.labels().get("service").equals("svc-order")).findFirst()
                    .orElseThrow();
            assertEquals(0.6, grid.values().get("timeoutShare"), 1e-9);
            assertEquals("TERRIBLE", grid.attributes().get("grade"));
        }
    }

    @Test
    void aCallerGivingUpBeforeItsCalleesSequentialCallsIsAConfiguredCascade() {
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
            for (int i = 0; i < 30; i++) {
                long ts = T0 + m * M + i * 2000;
                events.add(call("api-gateway", "api-gateway", "svc-order", ts, Status.SUCCESS, 300, 1000));
                events.add(call("svc-order", "service", "svc-payment", ts + 1, Status.SUCCESS, 100, 800));
                events.add(call("svc-order", "service", "db-orders", ts + 2, Status.SUCCESS, 100, 800));
            }
        }
        try (DetectorHarness h = new DetectorHarness(new Timeouts(), Map.of())) {
            h.send(events);
            h.silence();
            List<Finding> findings = h.findings();
            List<Finding> cascades = findings.stream().filter(f -> f.type() == AlertType.CASCADE_TIMEOUT)
                    .toList();
            assertEquals(5, cascades.size(), "one finding per window");
            Finding f = cascades.get(0);
            assertEquals("CASCADE_TIMEOUT{basis=\"configured-timeouts\",destination=\"svc-order\","
                    + "service=\"api-gateway\"}", f.fingerprint());
            assertEquals(Severity.WARN, f.severity(), "lower severity than a cascade seen on a trace");
            assertEquals(1600.0, f.value());
            assertTrue(f.summary().contains("api-gateway gives svc-order 1.0 s, but svc-order waits up to 1.6 s"
                    + " on its own calls (db-orders 800 ms + svc-payment 800 ms); budget 2.4 s"), f.summary());
            assertTrue(findings.stream().noneMatch(x -> x.type() == AlertType.TIMEOUT_EFFECTIVENESS
                    && !x.isClear()));
        }
    }

    @Test
    void theSeedsChainOfOneSecondTimeoutsWithoutTracesCascadesAtItsTop() {
        // A -> B -> C -> D, 1 s each, no traces: A must allow B 2 s (B's second on C, C's on D); B gives C 1 s, which
        // is what C needs.
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
            for (int i = 0; i < 30; i++) {
                long ts = T0 + m * M + i * 2000;
                events.add(call("svc-a", "api-gateway", "svc-b", ts, Status.SUCCESS, 300, 1000));
                events.add(call("svc-b", "service", "svc-c", ts + 1, Status.SUCCESS, 200, 1000));
                events.add(call("svc-c", "service", "svc-d", ts + 2, Status.SUCCESS, 100, 1000));
            }
        }
        try (DetectorHarness h = new DetectorHarness(new Timeouts(), Map.of())) {
            h.send(events);
            h.silence();
            List<Finding> cascades = h.findings().stream().filter(f -> f.type() == AlertType.CASCADE_TIMEOUT
                    && !f.isClear()).toList();
            assertTrue(cascades.size() >= 4, cascades.toString());
            assertTrue(cascades.stream().allMatch(f -> f.subject().get("service").equals("svc-a")),
                    "only the top of the chain gives up too early: " + cascades);
            Finding f = cascades.get(cascades.size() - 1);
            assertEquals(2000.0, f.value());
            assertTrue(f.summary().contains("svc-a gives svc-b 1.0 s, but svc-b waits up to 2.0 s on its own calls"
                    + " (svc-c 1.0 s, each plus what its callee waits for in turn); budget 3.0 s"), f.summary());
            assertTrue(f.evidence().contains("chain: svc-a -(1.0 s)-> svc-b -(1.0 s)-> svc-c -(1.0 s)-> svc-d"),
                    f.evidence().toString());
        }
    }

    @Test
    void aConfiguredCascadeResolvesOnceTheCallerAllowsForItsCalleesAndStaysQuietAfter() {
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            // Minutes 0-4: the gateway gives svc-order 1 s; from minute 5 on, 2.5 s (svc-order needs up to 1.6 s).
            long gatewayTimeout = m < 5 ? 1000 : 2500;
            for (int i = 0; i < 30; i++) {
                long ts = T0 + m * M + i * 2000;
                events.add(call("api-gateway", "api-gateway", "svc-order", ts, Status.SUCCESS, 300, gatewayTimeout));
                events.add(call("svc-order", "service", "svc-payment", ts + 1, Status.SUCCESS, 100, 800));
                events.add(call("svc-order", "service", "db-orders", ts + 2, Status.SUCCESS, 100, 800));
            }
        }
        try (FullTopology t = new FullTopology()) {
            t.send(events);
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.CASCADE_TIMEOUT).toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), alerts.toString());
            assertEquals(Severity.WARN, alerts.get(0).severity());
            assertEquals(T0, alerts.get(0).windowStart());
            // The five windows before the raise fired; none after it: resolved ten quiet minutes after minute 4.
            assertTrue(alerts.get(1).summary().contains("over 5 firing findings"), alerts.get(1).summary());
            assertEquals(T0 + 15 * M, alerts.get(1).windowEnd(), alerts.get(1).toString());
        }
    }

    @Test
    void oneEpisodeThatResolvesWhenCallsSucceedAgain() {
        try (FullTopology t = new FullTopology()) {
            t.send(traffic(12, 4, 7));
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.TIMEOUT_EFFECTIVENESS)
                    .toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), alerts.toString());
            assertEquals(T0 + 4 * M, alerts.get(0).windowStart());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("timeout ladder")));
        }
    }
}
