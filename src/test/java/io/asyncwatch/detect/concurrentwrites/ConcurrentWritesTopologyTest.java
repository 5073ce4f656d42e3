package io.asyncwatch.detect.concurrentwrites;

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

/** The concurrent-write detector: alone (findings, metrics), and through the alert stage (one episode per entity). */
class ConcurrentWritesTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private static RequestEvent write(String id, String node, long ts, String entity, Map<String, Long> vc) {
        String service = node.substring(0, node.lastIndexOf('-'));
        return new RequestEvent(id, ts, service, "service", node, "db-users", "update", 1, "r-" + id, Status.SUCCESS,
                12.0, 1000L, null, null, null, null, Kind.WRITE, entity, null, vc, null);
    }

    /**
     * Ten minutes of coordinated writes: three nodes take turns on each of 20 entities, each having seen the previous
     * write (its vector clock follows it), while svc-user-2's wall clock runs 700 ms behind.
     */
    private static List<RequestEvent> ordered(int minutes) {
        List<RequestEvent> out = new ArrayList<>();
        String[] nodes = {"svc-user-0", "svc-user-1", "svc-user-2"};
        for (int e = 0; e < 20; e++) {
            long[] clock = new long[3];
            for (int i = 0; i < minutes * 6; i++) {
                int n = i % 3;
                clock[n]++;
                long ts = T0 + i * 10_000L + e * 300 + (n == 2 ? -700 : 0);
                out.add(write("o-" + e + "-" + i, nodes[n], ts, "User[" + e + "]",
                        Map.of(nodes[0], clock[0], nodes[1], clock[1], nodes[2], clock[2])));
            }
        }
        return out;
    }

    private static List<RequestEvent> sorted(List<RequestEvent> events) {
        List<RequestEvent> out = new ArrayList<>(events);
        out.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return out;
    }

    /** The seeds' pair: A [2,0] writes, B [1,1] writes without having seen it. */
    private static List<RequestEvent> concurrentPair(long ts) {
        return List.of(write("c-a", "svc-user-0", ts, "User[42]", Map.of("svc-user-0", 2L)),
                write("c-b", "svc-user-1", ts + 40, "User[42]", Map.of("svc-user-0", 1L, "svc-user-1", 1L)));
    }

    @Test
    void readsAndCallsOfAnEntityAreNoWrites() {
        // The concurrent pair's clocks and nodes, but the second is a READ, then a CALL: only writes conflict.
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            h.send(concurrentPair(T0 + 4 * M + 5_000));
            h.silence();
            assertEquals(1, h.findings().size(), "as two writes, the pair conflicts");
        }
        for (Kind kind : List.of(Kind.READ, Kind.CALL)) {
            List<RequestEvent> pair = concurrentPair(T0 + 4 * M + 5_000);
            RequestEvent w = pair.get(1);
            RequestEvent notAWrite = new RequestEvent(w.eventId(), w.timestamp(), w.service(), w.layer(), w.node(),
                    w.destination(), w.operation(), w.attempt(), w.requestId(), w.status(), w.latencyMs(),
                    w.timeoutMs(), null, null, null, null, kind, w.entity(), null, w.vectorClock(), null);
            try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
                h.send(List.of(pair.get(0), notAWrite));
                h.silence();
                assertEquals(List.of(), h.findings(), kind + " is not a write");
            }
        }
    }

    @Test
    void orderedWritesDoNotConflictEvenWithALaggingWallClock() {
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            h.send(sorted(ordered(10)));
            h.silence();
            assertEquals(List.of(), h.findings(), "svc-user-2 stamps its writes 700 ms early, but its clocks are in order");
            assertEquals(List.of(), h.metrics(), "no conflicts: no points (absent means zero)");
        }
    }

    @Test
    void aConcurrentPairFiresWithItsNodesClocksAndEventIds() {
        List<RequestEvent> events = new ArrayList<>(ordered(10));
        events.addAll(concurrentPair(T0 + 4 * M + 5_000));
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            h.send(sorted(events));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            Finding f = findings.get(0);
            assertEquals("CONCURRENT_WRITE{entity=\"User[42]\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity());
            assertEquals(T0 + 4 * M, f.windowStart());
            assertTrue(f.summary().startsWith("Concurrent writes to User[42]: 2 nodes (svc-user-0, svc-user-1)"),
                    f.summary());
            assertTrue(f.summary().contains("Resolution: manual needed"), f.summary());
            assertTrue(f.evidence().contains("svc-user-0 wrote User[42] at " + hhmmss(T0 + 4 * M + 5_000)
                    + " UTC, vector clock {svc-user-0=2} (event c-a, request r-c-a)"), f.evidence().toString());
            assertTrue(f.evidence().stream().anyMatch(e -> e.equals("conflicting pairs (event ids): c-a ‖ c-b")),
                    f.evidence().toString());
            List<Metric> metrics = h.metrics();
            assertEquals(1, metrics.size());
            Metric m = metrics.get(0);
            assertEquals("concurrent_writes{}", m.seriesKey());
            assertEquals(1.0, m.values().get("conflicts"));
            assertEquals(1.0, m.values().get("entities"));
            assertEquals("User[42] (1)", m.attributes().get("topEntities"));
            assertEquals("Manual needed", m.attributes().get("resolution"));
        }
    }

    @Test
    void theSameConflictsWhateverTheArrivalOrderWithinTheGrace() {
        List<RequestEvent> events = sorted(new ArrayList<>(ordered(3)));
        List<RequestEvent> burst = new ArrayList<>(concurrentPair(T0 + M + 5_000));
        burst.add(write("c-c", "svc-user-2", T0 + M + 6_000, "User[42]", Map.of("svc-user-2", 1L)));
        List<Finding> inOrder;
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            List<RequestEvent> all = new ArrayList<>(events);
            all.addAll(burst);
            h.send(sorted(all));
            h.silence();
            inOrder = h.findings();
        }
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            // The burst arrives newest first, 10 s after it was written: late, within the 30 s grace.
            for (RequestEvent e : events) {
                if (e.timestamp() > T0 + M + 16_000 && !burst.isEmpty()) {
                    for (int i = burst.size() - 1; i >= 0; i--) {
                        h.send(burst.get(i));
                    }
                    burst.clear();
                }
                h.send(e);
            }
            h.silence();
            assertEquals(inOrder, h.findings());
        }
        assertEquals(1, inOrder.size());
        assertEquals(3.0, inOrder.get(0).value(), "three pairs");
    }

    @Test
    void withoutVectorClocksDifferentNodesInTheSameSecondAreAPossibleConflict() {
        List<RequestEvent> events = new ArrayList<>(ordered(5));
        events.add(write("s-a", "svc-user-0", T0 + 2 * M + 1_100, "Order[1337]", null));
        events.add(write("s-b", "svc-user-1", T0 + 2 * M + 1_900, "Order[1337]", null));
        events.add(write("s-c", "svc-user-1", T0 + 2 * M + 3_100, "Order[1337]", null)); // 1.2 s later: not
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            h.send(sorted(events));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            Finding f = findings.get(0);
            assertEquals(Severity.WARN, f.severity(), "a possible conflict, at lower severity");
            assertEquals("CONCURRENT_WRITE{basis=\"same-second\",entityType=\"Order\"}", f.fingerprint(),
                    "possible conflicts are one episode per entity type");
            assertTrue(f.summary().startsWith("Possible concurrent writes to 1 Order entity (Order[1337]): different"
                    + " nodes wrote each within the same second, 1 pair"), f.summary());
            assertTrue(f.evidence().get(0).startsWith("Order[1337]: svc-user-0 at ") && f.evidence().get(0)
                    .contains("svc-user-1 at "), f.evidence().toString());
            assertTrue(f.summary().contains("without vector clocks"), f.summary());
            assertEquals(1.0, f.value());
        }
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(),
                Map.of("asyncwatch.concurrent-write.same-second", "false"))) {
            h.send(sorted(events));
            h.silence();
            assertEquals(List.of(), h.findings(), "the fallback switched off");
        }
    }

    @Test
    void aThreeWayConflictIsOneEpisodeThatResolvesAfterTheQuietPeriod() {
        List<RequestEvent> events = new ArrayList<>(ordered(30));
        long t = T0 + 5 * M + 20_000;
        events.add(write("t-a", "svc-user-0", t, "Order[7]", Map.of("svc-user-0", 1L)));
        events.add(write("t-b", "svc-user-1", t + 10, "Order[7]", Map.of("svc-user-1", 1L)));
        events.add(write("t-c", "svc-user-2", t + 50_000, "Order[7]", Map.of("svc-user-2", 1L)));
        try (FullTopology top = new FullTopology(Map.of("asyncwatch.concurrent-write.resolution",
                "Order=lww;*=manual"))) {
            top.send(sorted(events));
            List<Alert> alerts = top.alerts().stream().filter(a -> a.type().name().equals("CONCURRENT_WRITE"))
                    .toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList(), "three writers across two windows: one episode");
            Alert firing = alerts.get(0);
            assertEquals(Map.of("entity", "Order[7]"), firing.subject());
            assertTrue(firing.summary().contains("Resolution: last-writer-wins"), firing.summary());
            assertTrue(firing.playbook().stream().anyMatch(s -> s.contains("last-writer-wins")), firing.playbook()
                    .toString());
            List<Metric> metrics = top.metrics().stream().filter(m -> m.metric().equals(ConcurrentWrites.METRIC))
                    .toList();
            assertEquals(2, metrics.size(), "one point per window with conflicts");
            assertEquals(1.0, metrics.get(0).values().get("conflicts"), "a and b in the first minute");
            assertEquals(2.0, metrics.get(1).values().get("conflicts"), "c with both in the next");
            assertEquals("Last-writer-wins", metrics.get(0).attributes().get("resolution"));
        }
    }

    @Test
    void aFloodOfConflictsIsCountedInFullAndAlertedWithinTheCaps() {
        // 1 500 entities without a type, each written by two nodes 100 ms apart: possible conflicts only.
        List<RequestEvent> events = new ArrayList<>(ordered(5));
        for (int i = 0; i < 1_500; i++) {
            long ts = T0 + 2 * M + i * 20L;
            events.add(write("f-a-" + i, "svc-user-0", ts, "user-" + i, null));
            events.add(write("f-b-" + i, "svc-user-1", ts + 100, "user-" + i, null));
        }
        try (DetectorHarness h = new DetectorHarness(new ConcurrentWrites(), Map.of())) {
            h.send(sorted(events));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), "entities without a type share one group, not a WARN each");
            assertEquals("CONCURRENT_WRITE{basis=\"same-second\",entityType=\"(untyped)\"}",
                    findings.get(0).fingerprint());
            Metric m = h.metrics().get(0);
            assertEquals(1_500.0, m.values().get("conflicts"), "every conflict counted");
            assertEquals((double) ConflictWindow.MAX_ENTITIES, m.values().get("entities"), "detailed up to the cap");
            assertTrue(m.attributes().get("entitiesCapped").startsWith("500 conflicts"), m.attributes().toString());
        }
    }

    private static String hhmmss(long t) {
        return java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochMilli(t));
    }
}
