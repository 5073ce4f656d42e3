package io.asyncwatch.detect.amplification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.CircuitBreaker;
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

/** The layer-amplification detector alone, and through the alert stage. */
class LayerAmplificationTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private int ids;

    private void attempts(List<RequestEvent> out, String service, String layer, String destination, long ts, int n,
                          CircuitBreaker breaker) {
        for (int a = 1; a <= n; a++) {
            out.add(new RequestEvent(String.format("%s-%07d", service, ids++), ts + a, service, layer, service + "-0",
                    destination, "call", a, null, a < n ? Status.TIMEOUT : Status.SUCCESS, a < n ? 500.0 : 20.0, 500L,
                    null, null, null, null, Kind.CALL, null, null, null, breaker));
        }
    }

    /**
     * 40 user intents a minute through gw -> svc-a -> db-a; each intent normally makes one gateway attempt, one
     * service attempt and three database calls. From {@code stormFrom} to {@code stormTo} every layer retries
     * three times (gateway 3, service 9, database 27 x 3 per intent), the service's breaker staying CLOSED.
     */
    private List<RequestEvent> traffic(int minutes, int stormFrom, int stormTo) {
        List<RequestEvent> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            boolean storm = m >= stormFrom && m < stormTo;
            int tries = storm ? 3 : 1;
            for (int i = 0; i < 40; i++) {
                long ts = T0 + m * M + i * 1500;
                attempts(out, "gw", "api-gateway", "svc-a", ts, tries, CircuitBreaker.CLOSED);
                for (int g = 0; g < tries; g++) {
                    attempts(out, "svc-a", "service", "db-a", ts + 100, tries, CircuitBreaker.CLOSED);
                    for (int s = 0; s < tries; s++) {
                        for (int call = 0; call < 3; call++) {
                            attempts(out, "db-a", "database", null, ts + 200, tries, null);
                        }
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return out;
    }

    @Test
    void theDeathSpiralPagesWithEveryLayersFactorAndTheBreakerRadar() {
        try (DetectorHarness h = new DetectorHarness(new LayerAmplification(), Map.of())) {
            h.send(traffic(20, 15, 16));
            h.silence();
            List<Finding> findings = h.findings();
            List<Finding> firing = findings.stream().filter(f -> !f.isClear()).toList();
            assertEquals(1, firing.size(), firing.toString());
            Finding f = firing.get(0);
            assertEquals("LAYER_AMPLIFICATION{entry=\"api-gateway\"}", f.fingerprint());
            assertEquals(Severity.PAGE, f.severity());
            assertEquals(27.0, f.value(), 1e-9, "3 x 3 x 3 database calls per intent against the usual 1 x 3");
            assertEquals(T0 + 15 * M, f.windowStart());
            assertTrue(f.summary().contains("api-gateway 3.0x (2.0 attempts/s), service 9.0x (6.0 attempts/s),"
                    + " database 27.0x (54.0 attempts/s)"), f.summary());
            // The seeds' radar: the gateway at 3x CLOSED is fine, the service layer at 9x should be OPEN.
            assertTrue(f.summary().contains("circuit breaker should be OPEN at service (CLOSED on 100% of its"
                    + " attempts)"), f.summary());
            assertTrue(!f.summary().contains("OPEN at api-gateway"), f.summary());
            assertTrue(f.evidence().contains("layer order inferred from caller -> destination edges: api-gateway >"
                    + " service > database"), f.evidence().toString());
            assertEquals(Map.of("entry", "api-gateway", "layers", "api-gateway > service > database"), f.subject());
            assertEquals(20 - 10, findings.stream().filter(x -> x.windowStart() >= T0 + 10 * M).count(),
                    "judged every window once the baseline had 10 windows");
            List<Metric> db = h.metrics().stream().filter(m -> m.labels().get("layer").equals("database")).toList();
            assertEquals(20, db.size());
            Metric storm = db.stream().filter(m -> m.windowStart() == T0 + 15 * M).findFirst().orElseThrow();
            assertEquals(3240.0, storm.values().get("attempts"));
            assertEquals(81.0, storm.values().get("fanOut"));
            assertEquals(3.0, storm.values().get("baselineFanOut"));
            assertEquals(27.0, storm.values().get("growth"), 1e-9, "vs the same minute 5 minutes earlier");
        }
    }

    @Test
    void aHeavierButUsualFanOutIsNotAmplification() {
        try (DetectorHarness h = new DetectorHarness(new LayerAmplification(), Map.of())) {
            h.send(traffic(20, 99, 99));
            h.silence();
            List<Finding> findings = h.findings();
            assertTrue(findings.stream().allMatch(Finding::isClear), findings.toString());
            assertTrue(findings.get(findings.size() - 1).summary().contains("database 1.0x"), findings.toString());
        }
    }

    @Test
    void configuredLayersOverrideTheInferredOrder() {
        try (DetectorHarness h = new DetectorHarness(new LayerAmplification(),
                Map.of("asyncwatch.layer-amplification.layers", "service, database"))) {
            h.send(traffic(20, 15, 16));
            h.silence();
            Finding f = h.findings().stream().filter(x -> !x.isClear()).findFirst().orElseThrow();
            assertEquals("LAYER_AMPLIFICATION{entry=\"service\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity(), "per service intent the database amplifies 9x");
        }
    }

    @Test
    void oneEpisodeThatResolvesAfterTheStorm() {
        try (FullTopology t = new FullTopology()) {
            t.send(traffic(22, 14, 16));
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.LAYER_AMPLIFICATION)
                    .toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), alerts.toString());
            assertEquals(T0 + 14 * M, alerts.get(0).windowStart());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("circuit breakers")));
        }
    }
}
