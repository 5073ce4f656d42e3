package io.asyncwatch.detect.cascade;

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

/** The trace-based cascade detector alone, and through the alert stage. */
class CascadeTimeoutTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private int ids;

    private RequestEvent span(String trace, String id, String parent, String service, String layer,
                              String destination, long ts, long timeoutMs, double latencyMs) {
        return new RequestEvent(String.format("%s-%06d", service, ids++), ts, service, layer, service + "-0",
                destination, "call", 1, null, Status.SUCCESS, latencyMs, timeoutMs, trace, id, parent, null, Kind.CALL,
                null, null, null, null);
    }

    /**
     * Ten traces a minute of gateway -> svc-order -> svc-payment -> db-payments; the gateway gives svc-order
     * {@code gatewayTimeout} from minute {@code from} to {@code to}, 3 s otherwise. The spans of a trace are sent
     * callee first, as they finish.
     */
    private List<RequestEvent> traffic(int minutes, int from, int to, long gatewayTimeout) {
        List<RequestEvent> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            long timeout = m >= from && m < to ? gatewayTimeout : 3000;
            for (int i = 0; i < 10; i++) {
                long ts = T0 + m * M + i * 6000;
                String t = "trace-" + m + "-" + i;
                out.add(span(t, "c", "b", "svc-payment", "service", "db-payments", ts + 20, 1000, 30));
                out.add(span(t, "b", "a", "svc-order", "service", "svc-payment", ts + 10, 1000, 50));
                out.add(span(t, "a", null, "api-gateway", "api-gateway", "svc-order", ts, timeout, 70));
            }
        }
        out.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return out;
    }

    @Test
    void aGatewayGivingUpBeforeTheChainBelowItIsOneFindingPerWindow() {
        try (DetectorHarness h = new DetectorHarness(new CascadeTimeout(), Map.of())) {
            h.send(traffic(10, 5, 7, 1000));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(2, findings.size(), "two windows with cascading traces: " + findings);
            Finding f = findings.get(0);
            assertEquals("CASCADE_TIMEOUT{destination=\"svc-order\",service=\"api-gateway\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity());
            assertEquals(10.0, f.value(), "ten traces in the window");
            assertEquals(T0 + 5 * M, f.windowStart());
            assertTrue(f.summary().contains("api-gateway gives svc-order 1.0 s but its downstream chain may take 2.0 s,"
                    + " on 10 caller attempts"), f.summary());
            assertTrue(f.summary().contains("api-gateway -(1.0 s)-> svc-order -(1.0 s)-> svc-payment -(1.0 s)->"
                    + " db-payments; budget 3.0 s"), f.summary());
            assertTrue(f.evidence().get(1).startsWith("traces: trace-5-0, trace-5-1, trace-5-2"), f.evidence()
                    .toString());
            List<Metric> metrics = h.metrics();
            assertEquals(2, metrics.size());
            assertEquals(2000.0, metrics.get(0).values().get("neededMs"));
        }
    }

    @Test
    void aChainWithTimeoutsThatFitIsQuiet() {
        try (DetectorHarness h = new DetectorHarness(new CascadeTimeout(), Map.of())) {
            h.send(traffic(10, 0, 0, 1000));
            h.silence();
            assertEquals(List.of(), h.findings());
        }
    }

    @Test
    void spansOutOfOrderWithinGraceGiveTheSameFindings() {
        List<RequestEvent> ordered = traffic(10, 5, 7, 1000);
        List<RequestEvent> reversed = new ArrayList<>(ordered);
        // Within each 20-second stretch, last first: parents before or after children, up to 20 s late.
        reversed.sort(Comparator.comparingLong((RequestEvent e) -> e.timestamp() / 20_000)
                .thenComparing(Comparator.comparingLong(RequestEvent::timestamp).reversed()));
        try (DetectorHarness a = new DetectorHarness(new CascadeTimeout(), Map.of());
             DetectorHarness b = new DetectorHarness(new CascadeTimeout(), Map.of())) {
            a.send(ordered);
            a.silence();
            b.send(reversed);
            b.silence();
            assertEquals(a.findings(), b.findings());
        }
    }

    @Test
    void aSpanFromANodeWhoseClockIsAnHourOffIsJudgedAtItsRecordTime() {
        List<RequestEvent> events = traffic(10, 5, 6, 1000);
        try (FullTopology t = new FullTopology()) {
            for (RequestEvent e : events) {
                boolean skewed = e.service().equals("svc-payment");
                // svc-payment's node stamps its spans an hour ahead; the broker's record time is right.
                RequestEvent sent = skewed ? new RequestEvent(e.eventId(), e.timestamp() + 3_600_000, e.service(),
                        e.layer(), e.node(), e.destination(), e.operation(), e.attempt(), e.requestId(), e.status(),
                        e.latencyMs(), e.timeoutMs(), e.traceId(), e.spanId(), e.parentSpanId(), e.causedBy(), e.kind(),
                        e.entity(), e.lamport(), e.vectorClock(), e.circuitBreaker()) : e;
                t.send(sent, e.timestamp());
            }
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.CASCADE_TIMEOUT).toList();
            assertEquals(AlertStatus.FIRING, alerts.get(0).status(), alerts.toString());
            assertTrue(alerts.get(0).summary().contains("its downstream chain may take 2.0 s"),
                    "the skewed span is still part of its trace: " + alerts.get(0).summary());
            assertEquals(T0 + 5 * M, alerts.get(0).windowStart());
        }
    }

    @Test
    void oneEpisodeThatResolvesAfterTheQuietPeriod() {
        try (FullTopology t = new FullTopology()) {
            t.send(traffic(30, 5, 7, 1000));
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.CASCADE_TIMEOUT).toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), alerts.toString());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("sum(downstream) + 50%")));
        }
    }
}
