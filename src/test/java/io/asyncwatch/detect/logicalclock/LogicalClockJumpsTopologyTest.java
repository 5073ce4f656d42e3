package io.asyncwatch.detect.logicalclock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import io.asyncwatch.model.Severity;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The logical clock detector alone, on clock readings and on requests: jumps, steps backwards, out of order. */
class LogicalClockJumpsTopologyTest {

    private static final long T0 = Requests.T0;

    /** Readings of node-d every 10 s: Lamport clocks 100, 110, ...; at {@code jumpAt} the clock jumps by {@code by}. */
    private static List<ClockEvent> readings(int count, int jumpAt, long by) {
        List<ClockEvent> out = new ArrayList<>();
        long lamport = 100;
        for (int i = 0; i < count; i++) {
            lamport += i == jumpAt ? by : 10;
            out.add(new ClockEvent("clk-" + i, "node-d", "orders-cluster", T0 + i * 10_000L, 1.0, null, true,
                    lamport, Map.of("node-d", lamport)));
        }
        return out;
    }

    private static List<Finding> run(List<ClockEvent> events) {
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(), Map.of())) {
            events.forEach(h::send);
            h.silence();
            return h.findings();
        }
    }

    @Test
    void steadyClocksRaiseNothing() {
        assertEquals(List.of(), run(readings(30, -1, 0)));
    }

    @Test
    void aJumpAboveTheAlertGapAlertsAndAboveThePageGapPages() {
        List<Finding> alert = run(readings(30, 12, 5_741));
        assertEquals(2, alert.size(), alert.toString()); // the Lamport clock and the vector component
        assertTrue(alert.stream().allMatch(f -> f.severity() == Severity.ALERT), alert.toString());
        assertEquals("LOGICAL_CLOCK_JUMP{node=\"node-d\"}", alert.get(0).fingerprint());
        assertTrue(alert.get(0).summary().contains("went from 220 to 5961 (+5741)"), alert.get(0).summary());
        assertTrue(alert.get(0).evidence().get(0).equals("readings clk-11 -> clk-12"), alert.get(0).evidence()
                .toString());

        List<Finding> page = run(readings(30, 12, 20_000));
        assertTrue(page.stream().allMatch(f -> f.severity() == Severity.PAGE), page.toString());
    }

    @Test
    void aClockGoingBackwardsAlerts() {
        List<ClockEvent> events = new ArrayList<>(readings(30, 12, -50));
        List<Finding> out = run(events);
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.get(0).summary().startsWith("Logical clock went backwards on node-d"), out.get(0).summary());
    }

    @ParameterizedTest(name = "shuffle seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void readingsOutOfOrderWithinGraceGiveTheSameFindings(int seed) {
        List<ClockEvent> ordered = readings(30, 12, 5_741);
        List<ClockEvent> shuffled = new ArrayList<>(ordered);
        // Neighbours swapped: each reading at most 10 s late, well within the grace period.
        Collections.shuffle(shuffled.subList(10, 14), new java.util.Random(seed));
        assertEquals(run(ordered), run(shuffled));
    }

    /** Requests of node svc-order-2 every second, stamped with its Lamport clock; the clock jumps at {@code jumpAt}. */
    private static List<RequestEvent> requests(int count, int jumpAt, long by) {
        List<RequestEvent> out = new ArrayList<>();
        long lamport = 40;
        for (int i = 0; i < count; i++) {
            lamport += i == jumpAt ? by : 3;
            out.add(new RequestEvent("req-" + i, T0 + i * 1_000L, "svc-order", "service", "svc-order-2", "db", "op",
                    1, null, Status.SUCCESS, 5.0, null, null, null, null, null, Kind.CALL, null, lamport, null,
                    null));
        }
        return out;
    }

    private static List<Finding> runRequests(List<RequestEvent> events) {
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(), Map.of())) {
            h.send(events);
            h.silence();
            return h.findings();
        }
    }

    @Test
    void requestsCarryTheirNodesClockToo() {
        assertEquals(List.of(), runRequests(requests(40, -1, 0)));
        List<Finding> jump = runRequests(requests(40, 20, 12_000));
        assertEquals(1, jump.size(), jump.toString());
        Finding f = jump.get(0);
        assertEquals("LOGICAL_CLOCK_JUMP{node=\"svc-order-2\"}", f.fingerprint());
        assertEquals(Severity.PAGE, f.severity());
        assertTrue(f.summary().contains("Lamport clock went from 100 to 12100 (+12000)"), f.summary());
        assertEquals(List.of("readings req-19 -> req-20"), f.evidence());
    }

    @Test
    void aNodeSilentForTheIdleTimeFreesItsSlotForANewNode() {
        List<ClockEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(new ClockEvent("old-" + i, "node-old", "orders-cluster", T0 + i * 10_000L, 1.0, null, true,
                    10L + i, Map.of("node-old", 10L + i)));
        }
        // node-d starts 5 minutes later, once node-old has been silent for more than the idle time.
        for (ClockEvent e : readings(60, 40, 5_741)) {
            events.add(new ClockEvent(e.eventId(), e.node(), e.cluster(), e.timestamp() + 5 * Requests.MINUTE,
                    e.offsetMs(), e.driftPpm(), e.syncOk(), e.lamport(), e.vectorClock()));
        }
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(),
                Map.of("asyncwatch.logical-clock.max-nodes", "1", "asyncwatch.logical-clock.node-idle-ms", "60000",
                        "asyncwatch.logical-clock.drift", "0"))) {
            events.forEach(h::send);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(2, findings.size(), findings.toString());
            assertEquals("LOGICAL_CLOCK_JUMP{node=\"node-d\"}", findings.get(0).fingerprint(),
                    "with one slot, node-d is judged only because node-old's was freed");
        }
    }

    @ParameterizedTest(name = "late: {0}")
    @ValueSource(booleans = {false, true})
    void aReadingJustInsideTheIdleTimeIsJudgedAgainstTheLastWhateverItsArrival(boolean late) {
        // node-d reads at T0, then 59 s later with a jump; node-x reads every second for 80 s, moving the clock
        // past T0 + node-idle-ms (60 s) before the late copy of node-d's second reading arrives (20 s late, within
        // the 30 s grace): node-d must not have been forgotten by then.
        List<ClockEvent> events = new ArrayList<>();
        ClockEvent first = new ClockEvent("d-0", "node-d", "orders-cluster", T0, 1.0, null, true, 100L, null);
        ClockEvent jump = new ClockEvent("d-1", "node-d", "orders-cluster", T0 + 59_000, 1.0, null, true, 5_100L,
                null);
        events.add(first);
        for (int i = 1; i <= 80; i++) {
            events.add(new ClockEvent("x-" + i, "node-x", "orders-cluster", T0 + i * 1_000L, 1.0, null, true,
                    (long) i, null));
            if (!late && i == 59) {
                events.add(jump);
            }
        }
        if (late) {
            events.add(jump);
        }
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(),
                Map.of("asyncwatch.logical-clock.node-idle-ms", "60000", "asyncwatch.logical-clock.drift", "0"))) {
            events.forEach(h::send);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            assertTrue(findings.get(0).summary().contains("went from 100 to 5100"), findings.get(0).summary());
        }
    }

    @Test
    void readingsNodeIdleApartAreNotJudgedAsAJump() {
        List<ClockEvent> events = List.of(
                new ClockEvent("d-0", "node-d", "orders-cluster", T0, 1.0, null, true, 100L, null),
                new ClockEvent("d-1", "node-d", "orders-cluster", T0 + 61_000, 1.0, null, true, 9_000L, null));
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(),
                Map.of("asyncwatch.logical-clock.node-idle-ms", "60000", "asyncwatch.logical-clock.drift", "0"))) {
            events.forEach(h::send);
            h.silence();
            assertEquals(List.of(), h.findings(), "a new sequence after the idle time, forgotten or not");
        }
    }

    @Test
    void readingsLeftOutOverTheCapAreNotSeenAsAJump() {
        // 5 clocked requests a second for a minute, at most 10 waiting out the grace: most are left out, and the
        // clock's advance across them is not a jump.
        List<RequestEvent> busy = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            busy.add(new RequestEvent("req-" + i, T0 + i * 200L, "svc-order", "service", "svc-order-2", "db", "op", 1,
                    null, Status.SUCCESS, 5.0, null, null, null, null, null, Kind.CALL, null, 100L + i * 10, null,
                    null));
        }
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(),
                Map.of("asyncwatch.logical-clock.max-pending", "10"))) {
            h.send(busy);
            h.silence();
            assertEquals(List.of(), h.findings());
        }
    }

    @Test
    void requestsInOneMillisecondAreOrderedByTheirClocksAndNamelessNodesAreLeftOut() {
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long t = T0 + i * 1_000L;
            // Two requests per millisecond whose ids sort against their Lamport order.
            events.add(new RequestEvent("b-" + i, t, "svc-order", "service", "svc-order-2", "db", "op", 1, null,
                    Status.SUCCESS, 5.0, null, null, null, null, null, Kind.CALL, null, 100L + 2 * i, null, null));
            events.add(new RequestEvent("a-" + i, t, "svc-order", "service", "svc-order-2", "db", "op", 1, null,
                    Status.SUCCESS, 5.0, null, null, null, null, null, Kind.CALL, null, 101L + 2 * i, null, null));
            // Replicas without a node name: independent clocks, which would look like jumps and steps back.
            events.add(new RequestEvent("x-" + i, t + 5, "svc-order", "service", null, "db", "op", 1, null,
                    Status.SUCCESS, 5.0, null, null, null, null, null, Kind.CALL, null, i % 2 == 0 ? 5L : 50_000L,
                    null, null));
        }
        assertEquals(List.of(), runRequests(events));
    }

    @ParameterizedTest(name = "shuffle seed {0}")
    @ValueSource(ints = {1, 2})
    void requestsOutOfOrderWithinGraceGiveTheSameFindings(int seed) {
        List<RequestEvent> ordered = requests(40, 20, 12_000);
        List<RequestEvent> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled.subList(17, 23), new java.util.Random(seed));
        assertEquals(runRequests(ordered), runRequests(shuffled));
        List<RequestEvent> backwards = new ArrayList<>(requests(40, -1, 0));
        Collections.shuffle(backwards.subList(5, 12), new java.util.Random(seed));
        assertEquals(List.of(), runRequests(backwards), "late within grace is not a clock going backwards");
    }

    /**
     * Four nodes of one cluster reading their vector clocks every 10 s for 5 minutes; from minute 2 on node-c stops
     * hearing node-b: its b component stays where it was while the others' move on.
     */
    private static List<ClockEvent> cluster(boolean drifting) {
        return cluster(drifting, 10_000, 30);
    }

    /** As above, a reading every {@code everyMs}, {@code count} rounds; node-b's own component runs 500 ahead. */
    private static List<ClockEvent> cluster(boolean drifting, long everyMs, int count) {
        List<ClockEvent> out = new ArrayList<>();
        List<String> nodes = List.of("node-a", "node-b", "node-c", "node-d");
        int driftFrom = (int) (120_000 / everyMs);
        for (int i = 0; i < count; i++) {
            long b = 2_000 + i * 50L * everyMs / 10_000;
            for (String n : nodes) {
                long seenB = drifting && n.equals("node-c") && i >= driftFrom ? 2_000 + driftFrom * 50L * everyMs
                        / 10_000 : n.equals("node-b") ? b + 500 : b;
                out.add(new ClockEvent(n + "-" + i, n, "orders-cluster", T0 + i * everyMs + nodes.indexOf(n), 1.0,
                        null, true, null, Map.of("node-a", 1_000L + i, "node-b", seenB, "node-c", 3_000L + i,
                        "node-d", 4_000L + i)));
            }
        }
        return out;
    }

    @Test
    void driftIsJudgedWhenReadingsComeOftenToo() {
        // A reading every second: many readings of the next window have arrived when a window is judged.
        assertEquals(List.of(), run(cluster(false, 1_000, 300)));
        List<Finding> drift = run(cluster(true, 1_000, 600));
        assertTrue(drift.stream().allMatch(f -> f.subject().get("node").equals("node-c")), drift.toString());
        // Every window with readings is judged, each on the readings before its end although many of the next
        // window's have arrived. node-c stops hearing node-b at 2:00 and is more than 100 behind from about 2:20:
        // windows 3 to 10.
        List<Long> ends = new ArrayList<>();
        for (long w = 3; w <= 10; w++) {
            ends.add(T0 + w * 60_000);
        }
        assertEquals(ends, drift.stream().map(Finding::windowEnd).distinct().sorted().toList());
    }

    @Test
    void aNodeWhoseVectorDriftsFromItsClusterWarns() {
        assertEquals(List.of(), run(cluster(false)));
        List<Finding> drift = run(cluster(true));
        assertTrue(!drift.isEmpty(), "drift found");
        for (Finding f : drift) {
            assertEquals("LOGICAL_CLOCK_JUMP{node=\"node-c\",rule=\"drift\"}", f.fingerprint());
            assertEquals(Severity.WARN, f.severity());
        }
        Finding first = drift.get(0);
        assertTrue(first.summary().startsWith("Logical clock drift on node-c (cluster orders-cluster): its vector"
                + " component node-b is 2600"), first.summary());
        assertTrue(first.summary().contains("not hearing"), first.summary());
        assertEquals(4, first.evidence().size(), "every node's clock as compared");
    }

    @Test
    void driftCanBeSwitchedOff() {
        try (DetectorHarness h = new DetectorHarness(new LogicalClockJumps(),
                Map.of("asyncwatch.logical-clock.drift", "0"))) {
            cluster(true).forEach(h::send);
            h.silence();
            assertEquals(List.of(), h.findings());
        }
    }
}
