package io.asyncwatch.detect.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
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

/** The duplicate-operation detector: alone (findings, metrics), and through the alert stage (quiet-period end). */
class DuplicateOperationsTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private int ids;

    private RequestEvent write(String service, String layer, long ts, int attempt, String requestId, Status status) {
        return new RequestEvent(service + "-" + (ids++), ts, service, layer, service + "-0", null, "POST /orders",
                attempt, requestId, status, status == Status.TIMEOUT ? 1000.0 : 20.0, 1000L, null, null, null, null,
                Kind.WRITE, "Order[" + requestId.hashCode() % 1000 + "]", null, null, null);
    }

    /** Twenty minutes of normal writes: each intent writes once at the service and once at its database. */
    private List<RequestEvent> normal(int minutes) {
        List<RequestEvent> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            for (int i = 0; i < 30; i++) {
                long ts = T0 + m * M + i * 2000;
                String rid = "r-" + m + "-" + i;
                if (i % 10 == 0) {
                    // An ordinary retry: the first attempt timed out and its write did not land.
                    out.add(write("svc-pay", "service", ts, 1, rid, Status.TIMEOUT));
                    out.add(write("svc-pay", "service", ts + 1200, 2, rid, Status.SUCCESS));
                    out.add(write("db-pay", "database", ts + 1201, 1, rid, Status.SUCCESS));
                } else {
                    out.add(write("svc-pay", "service", ts, 1, rid, Status.SUCCESS));
                    out.add(write("db-pay", "database", ts + 1, 1, rid, Status.SUCCESS));
                }
            }
        }
        return out;
    }

    /** The zombie transaction: the first attempt timed out at the client but its write landed at the database. */
    private List<RequestEvent> zombie(long ts, String rid) {
        return List.of(write("svc-pay", "service", ts, 1, rid, Status.TIMEOUT),
                write("db-pay", "database", ts + 1, 1, rid, Status.SUCCESS),
                write("svc-pay", "service", ts + 1300, 2, rid, Status.SUCCESS),
                write("db-pay", "database", ts + 1301, 1, rid, Status.SUCCESS));
    }

    private static List<RequestEvent> sorted(List<RequestEvent> events) {
        List<RequestEvent> out = new ArrayList<>(events);
        out.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return out;
    }

    @Test
    void writesAtSeveralLayersAndOrdinaryRetriesAreNotDuplicates() {
        try (DetectorHarness h = new DetectorHarness(new DuplicateOperations(), Map.of())) {
            h.send(normal(20));
            h.silence();
            assertEquals(List.of(), h.findings());
            assertEquals(List.of(), h.metrics(), "no duplicates: no points (absent means zero)");
        }
    }

    @Test
    void aZombieTransactionIsADuplicateAtTheDatabaseWithItsEvidence() {
        List<RequestEvent> events = new ArrayList<>(normal(20));
        events.addAll(zombie(T0 + 12 * M + 5_000, "z-1"));
        events.addAll(zombie(T0 + 12 * M + 25_000, "z-2"));
        try (DetectorHarness h = new DetectorHarness(new DuplicateOperations(), Map.of())) {
            h.send(sorted(events));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), "one finding per service and window, not one per request id");
            Finding f = findings.get(0);
            assertEquals("DUPLICATE_OPERATION{service=\"db-pay\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity());
            assertEquals(2.0, f.value());
            assertEquals(T0 + 12 * M, f.windowStart());
            assertTrue(f.summary().contains("2 user intents were written more than once"), f.summary());
            assertTrue(f.summary().contains("2 zombie"), f.summary());
            assertTrue(f.evidence().get(0).contains("z-1") && f.evidence().get(0).contains("z-2"), f.evidence().get(0));
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("zombie transaction: z-1: attempt 1 at svc-pay"
                    + " timed out")), f.evidence().toString());
            List<Metric> metrics = h.metrics();
            assertEquals(1, metrics.size());
            assertEquals(2.0, metrics.get(0).values().get("duplicates"));
            assertEquals(2.0, metrics.get(0).values().get("zombies"));
        }
    }

    @Test
    void aSecondWriteBeyondTheHorizonIsNotADuplicate() {
        List<RequestEvent> events = new ArrayList<>(normal(30));
        events.add(write("db-pay", "database", T0 + M, 1, "late-intent", Status.SUCCESS));
        events.add(write("db-pay", "database", T0 + 20 * M, 1, "late-intent", Status.SUCCESS));
        try (DetectorHarness h = new DetectorHarness(new DuplicateOperations(), Map.of())) {
            h.send(sorted(events));
            h.silence();
            assertEquals(List.of(), h.findings(), "19 minutes apart: the request id was forgotten after 10");
        }
    }

    @Test
    void oneEpisodePerServiceThatResolvesAfterTheQuietPeriod() {
        List<RequestEvent> events = new ArrayList<>(normal(40));
        events.addAll(zombie(T0 + 12 * M, "z-1"));
        events.addAll(zombie(T0 + 13 * M + 10_000, "z-2"));
        events.addAll(zombie(T0 + 14 * M + 20_000, "z-3"));
        try (FullTopology t = new FullTopology()) {
            t.send(sorted(events));
            List<Alert> alerts = t.alerts();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), alerts.stream().map(Alert::status).toList(),
                    "three windows with duplicates are one episode");
            Alert resolved = alerts.get(1);
            assertEquals(T0 + 15 * M + 600_000, resolved.windowEnd(), "10 min of quiet after the last window");
            assertTrue(resolved.summary().contains("no new evidence for 10 min"), resolved.summary());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(s -> s.toLowerCase().contains("idempotency")));
        }
    }
}
