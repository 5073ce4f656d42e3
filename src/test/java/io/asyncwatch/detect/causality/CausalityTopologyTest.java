package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.Status;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The causality detector alone: each rule with the cause arriving first and with the effect arriving first. */
class CausalityTopologyTest {

    private static final long T0 = Requests.T0;

    private static RequestEvent event(String id, String node, long ts, List<String> causedBy, Long lamport,
                                      Map<String, Long> vc) {
        return new RequestEvent(id, ts, "svc-" + node, "service", node, null, "op", 1, null, Status.SUCCESS, 5.0,
                null, null, null, null, causedBy, Kind.CALL, null, lamport, vc, null);
    }

    private static RequestEvent span(String id, String node, long ts, String trace, String spanId, String parent) {
        return new RequestEvent(id, ts, "svc-" + node, "service", node, "svc-next", "op", 1, null, Status.SUCCESS,
                5.0, 1000L, trace, spanId, parent, null, Kind.CALL, null, null, null, null);
    }

    /** Sends the pair in the order asked. */
    private static void play(DetectorHarness h, RequestEvent cause, RequestEvent effect, boolean effectFirst) {
        if (effectFirst) {
            h.send(effect);
            h.send(cause);
        } else {
            h.send(cause);
            h.send(effect);
        }
    }

    private static List<Finding> run(List<RequestEvent> events) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            h.send(events);
            h.silence();
            return h.findings();
        }
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void anEffectStampedBeforeItsCauseIsAViolationOfTheNodePair(boolean effectFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent cause = event("e-1", "node-a", T0 + 10_000, null, null, null);
            RequestEvent effect = event("e-2", "node-b", T0 + 9_170, List.of("e-1"), null, null);
            play(h, cause, effect, effectFirst);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            Finding f = findings.get(0);
            assertEquals("CAUSALITY_VIOLATION{cause_node=\"node-a\",node=\"node-b\"}", f.fingerprint());
            assertEquals(Severity.PAGE, f.severity(), "830 ms out of order is past the 500 ms page gap");
            assertTrue(f.summary().contains("1 event on node-b came before its cause on node-a"), f.summary());
            assertTrue(f.summary().contains("node-b's clock is at least 830 ms behind node-a's"), f.summary());
            assertTrue(f.evidence().get(0).startsWith("e-2 on node-b (causedBy e-1 on node-a)"), f.evidence().toString());
            Metric pair = h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_PAIRS)).findFirst()
                    .orElseThrow();
            assertEquals(830.0, pair.values().get("offsetLowerBoundMs"), "a lower bound on the offset between them");
            assertEquals(Map.of("cause_node", "node-a", "node", "node-b"), pair.labels());
            assertNull(pair.attributes().get("suspect"), "one pair cannot say which of its two clocks is off");
        }
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void aChildSpanStampedBeforeItsParentIsAViolation(boolean effectFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent parent = span("p-1", "gw-1", T0 + 5_000, "t-1", "s-1", null);
            RequestEvent child = span("c-1", "order-1", T0 + 4_900, "t-1", "s-2", "s-1");
            play(h, parent, child, effectFirst);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            assertEquals(Severity.ALERT, findings.get(0).severity(), "100 ms: below the page gap");
            assertTrue(findings.get(0).evidence().get(0).contains("(parentSpanId s-1: p-1 on gw-1)"),
                    findings.get(0).evidence().toString());
        }
    }

    @Test
    void aChildSpanArrivingWithinTheGraceAfterItsTraceIsPastTheHorizonIsStillJudged() {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent parent = new RequestEvent("p-1", T0 + 5_000, "svc-gw-1", "service", "gw-1", "svc-next", "op",
                    1, null, Status.SUCCESS, 5.0, 1000L, "t-1", "s-1", null, null, Kind.CALL, null, 50L, null, null);
            // Stamped 40 s after its parent (within the 1 min horizon), with a Lamport clock not after the parent's.
            RequestEvent child = new RequestEvent("c-1", T0 + 45_000, "svc-order-1", "service", "order-1", "svc-next",
                    "op", 1, null, Status.SUCCESS, 5.0, 1000L, "t-1", "s-2", "s-1", null, Kind.CALL, null, 10L, null,
                    null);
            h.send(parent);
            // Other traffic moves the clock past the trace's first span by the horizon (to 1:10) ...
            for (long t = T0 + 6_000; t <= T0 + 70_000; t += 1_000) {
                h.send(event("x-" + t, "other-1", t, null, null, null));
            }
            // ... before the child arrives, 25 s behind the clock: late, but within the 30 s grace.
            h.send(child);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            assertTrue(findings.get(0).summary().contains("1 with a Lamport clock not after the cause's"),
                    findings.get(0).summary());
        }
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void logicalClocksThatDoNotFollowTheCauseAreViolationsWhateverTheTimestamps(boolean effectFirst) {
        String summary = onlyFinding(event("e-1", "node-a", T0 + 1_000, null, 40L, Map.of("node-a", 4L)),
                event("e-2", "node-b", T0 + 2_000, List.of("e-1"), 12L, Map.of("node-a", 3L, "node-b", 9L)),
                effectFirst);
        assertTrue(summary.contains("1 with a Lamport clock not after the cause's"), summary);
        assertTrue(summary.contains("1 with a vector clock not after the cause's"), summary);
        assertTrue(!summary.contains("stamped"), "the timestamps are in order: " + summary);
    }

    /** The summary of the one finding a cause and its effect give, sent in the order asked. */
    private static String onlyFinding(RequestEvent cause, RequestEvent effect, boolean effectFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            play(h, cause, effect, effectFirst);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings.toString());
            return findings.get(0).summary();
        }
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void aLamportClockNotAfterTheCausesAloneIsAViolation(boolean effectFirst) {
        String summary = onlyFinding(event("e-1", "node-a", T0 + 1_000, null, 40L, null),
                event("e-2", "node-b", T0 + 2_000, List.of("e-1"), 40L, null), effectFirst);
        assertTrue(summary.contains("1 with a Lamport clock not after the cause's"), summary);
        assertTrue(!summary.contains("vector") && !summary.contains("stamped"), summary);
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void aVectorClockConcurrentWithTheCausesAloneIsAViolation(boolean effectFirst) {
        // Lamport clocks in order; the vector clocks say the effect never saw its cause.
        String summary = onlyFinding(event("e-1", "node-a", T0 + 1_000, null, 10L, Map.of("node-a", 4L)),
                event("e-2", "node-b", T0 + 2_000, List.of("e-1"), 11L, Map.of("node-b", 9L)), effectFirst);
        assertTrue(summary.contains("1 with a vector clock not after the cause's"), summary);
        assertTrue(!summary.contains("Lamport") && !summary.contains("stamped"), summary);
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void anEffectDeliveredTwiceIsOneViolationAndOneEffect(boolean effectFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent cause = event("e-1", "node-a", T0 + 10_000, null, null, null);
            RequestEvent effect = event("e-2", "node-b", T0 + 9_000, List.of("e-1"), null, null);
            RequestEvent parent = span("p-1", "node-c", T0 + 20_000, "trace-1", "s-1", null);
            RequestEvent child = span("p-2", "node-d", T0 + 19_000, "trace-1", "s-2", "s-1");
            // A producer retry delivers each effect twice, before or after its cause.
            if (effectFirst) {
                h.send(List.of(effect, effect, child, child, cause, parent));
            } else {
                h.send(List.of(cause, parent, effect, effect, child, child));
            }
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(2, findings.size(), findings.toString());
            for (Finding f : findings) {
                assertTrue(f.summary().contains("1 event on "), f.summary());
            }
            List<Metric> metrics = h.metrics();
            Metric links = metrics.stream().filter(m -> m.metric().equals(Causality.METRIC_NODES)
                    && m.labels().get("node").equals("node-b")).findFirst().orElseThrow();
            assertEquals(1.0, links.values().get("effects"), links.toString());
            assertEquals(1.0, links.values().get("violations"), links.toString());
            assertEquals(0.0, links.values().get("missingCauses"), links.toString());
            List<Metric> pairs = metrics.stream().filter(m -> m.metric().equals(Causality.METRIC_PAIRS)).toList();
            assertEquals(List.of(1.0, 1.0), pairs.stream().map(m -> m.values().get("violations")).toList(),
                    pairs.toString());
        }
    }

    @ParameterizedTest(name = "effect first: {0}")
    @ValueSource(booleans = {false, true})
    void consistentPairsRaiseNothingAndAreCounted(boolean effectFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            for (int i = 0; i < 30; i++) {
                long t = T0 + i * 1_000;
                play(h, event("c-" + i, "node-a", t, null, 10L + i, Map.of("node-a", 10L + i)),
                        event("e-" + i, "node-b", t + 5, List.of("c-" + i), 11L + i,
                                Map.of("node-a", 10L + i, "node-b", 1L + i)), effectFirst);
            }
            h.silence();
            assertEquals(List.of(), h.findings());
            Metric links = h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_NODES)
                    && m.labels().get("node").equals("node-b")).findFirst().orElseThrow();
            assertEquals(30.0, links.values().get("effects"));
            assertEquals(30.0, links.values().get("matched"));
            assertEquals(0.0, links.values().get("missingCauses"));
        }
    }

    @Test
    void causesNeverSeenAlertOnlyAboveTheShare() {
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long t = T0 + i * 1_000;
            events.add(event("c-" + i, "node-a", t, null, null, null));
            // node-b: every fourth cause is on a topic asyncwatch does not read; node-c: one in forty.
            events.add(event("b-" + i, "node-b", t + 5, List.of(i % 4 == 0 ? "elsewhere-" + i : "c-" + i), null,
                    null));
            events.add(event("x-" + i, "node-c", t + 5, List.of(i == 0 ? "elsewhere-c" : "c-" + i), null, null));
        }
        List<Finding> findings = run(events);
        assertEquals(1, findings.size(), findings.toString());
        Finding f = findings.get(0);
        assertEquals("CAUSALITY_VIOLATION{node=\"node-b\",rule=\"missing-cause\"}", f.fingerprint());
        assertEquals(Severity.WARN, f.severity());
        assertTrue(f.summary().startsWith("Missing causes: 10 of 40 events on node-b (25%)"), f.summary());
        assertEquals(List.of("10 of 40 effects on node-b unmatched"), f.evidence());
    }

    @Test
    void theNodeInMostViolatingPairsIsNamed() {
        List<RequestEvent> events = new ArrayList<>();
        long t = T0 + 10_000;
        // node-x runs 2 s behind: its effects come "before" causes on three different nodes.
        for (String n : List.of("node-a", "node-b", "node-c")) {
            events.add(event("c-" + n, n, t, null, null, null));
            events.add(event("x-" + n, "node-x", t - 2_000, List.of("c-" + n), null, null));
            t += 1_000;
        }
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            h.send(events);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(3, findings.size(), findings.toString());
            for (Finding f : findings) {
                assertEquals("node-x", f.subject().get("node"));
                assertTrue(f.summary().contains("node-x is in most violating pairs"), f.summary());
            }
            List<Metric> pairs = h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_PAIRS))
                    .toList();
            assertEquals(3, pairs.size(), pairs.toString());
            for (Metric m : pairs) {
                assertEquals("node-x", m.attributes().get("suspect"), "the metric names it too: " + m);
            }
        }
    }

    @Test
    void noNodeIsNamedWhenNoneIsInMorePairsThanTheOthers() {
        // a -> b, a -> c, b -> c: every node is in two of the three violating pairs.
        List<RequestEvent> events = List.of(
                event("a-1", "node-a", T0 + 10_000, null, null, null),
                event("b-1", "node-b", T0 + 9_000, List.of("a-1"), null, null),
                event("a-2", "node-a", T0 + 20_000, null, null, null),
                event("c-1", "node-c", T0 + 19_000, List.of("a-2"), null, null),
                event("b-2", "node-b", T0 + 30_000, null, null, null),
                event("c-2", "node-c", T0 + 29_000, List.of("b-2"), null, null));
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            h.send(events);
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(3, findings.size(), findings.toString());
            for (Finding f : findings) {
                assertTrue(!f.summary().contains("most violating pairs"), f.summary());
            }
            assertTrue(h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_PAIRS))
                    .noneMatch(m -> m.attributes().containsKey("suspect")));
        }
    }

    @ParameterizedTest(name = "earlier copy first: {0}")
    @ValueSource(booleans = {false, true})
    void twoEventsSharingAnIdWithDifferentStampsAreBothCounted(boolean earlierFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent cause = event("e-1", "node-a", T0 + 10_000, null, null, null);
            RequestEvent early = event("e-2", "node-b", T0 + 9_000, List.of("e-1"), null, null);
            RequestEvent late = event("e-2", "node-b", T0 + 9_500, List.of("e-1"), null, null);
            h.send(cause);
            h.send(earlierFirst ? List.of(early, late) : List.of(late, early));
            h.silence();
            Metric links = h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_NODES)
                    && m.labels().get("node").equals("node-b")).findFirst().orElseThrow();
            assertEquals(2.0, links.values().get("effects"), "not known to be one event: " + links);
            assertEquals(2.0, links.values().get("violations"), links.toString());
        }
    }

    @Test
    void aClockReadingCanBeTheCause() {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            h.send(new ClockEvent("clk-1", "node-a", "c1", T0 + 3_000, 1.0, null, true, 100L, null));
            h.send(event("e-1", "node-b", T0 + 3_500, List.of("clk-1"), 90L, null));
            h.silence();
            List<Finding> findings = h.findings();
            assertEquals(1, findings.size(), findings + " " + h.deadLetters() + " " + h.metrics());
            assertTrue(findings.get(0).summary().contains("Lamport"), findings.get(0).summary());
        }
    }

    @Test
    void aCauseOutsideTheHorizonIsMissingNotMatched() {
        List<RequestEvent> events = new ArrayList<>();
        // The effect names a cause that only arrives two minutes later (horizon: 1 min), stamped after it anyway.
        for (int i = 0; i < 25; i++) {
            events.add(event("e-" + i, "node-b", T0 + i * 100, List.of("c-" + i), null, null));
        }
        for (int i = 0; i < 25; i++) {
            events.add(event("c-" + i, "node-a", T0 + 120_000 + i * 100, null, null, null));
        }
        List<Finding> findings = run(events);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals("missing-cause", findings.get(0).subject().get("rule"));
    }

    @Test
    void violationsAreCountedPerNodeAndDayOnceTheDayHasClosed() {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            // Day one: node-b has two effects before their causes, node-c one consistent effect.
            h.send(event("c-1", "node-a", T0 + 10_000, null, null, null));
            h.send(event("b-1", "node-b", T0 + 9_000, List.of("c-1"), null, null));
            h.send(event("c-2", "node-a", T0 + 3_600_000, null, null, null));
            h.send(event("b-2", "node-b", T0 + 3_599_900, List.of("c-2"), null, null));
            h.send(event("x-1", "node-c", T0 + 3_600_100, List.of("c-2"), null, null));
            assertTrue(daily(h).isEmpty(), "the day is still open");
            // The next day's traffic moves the clock past the end of day one.
            for (int i = 0; i < 30; i++) {
                h.send(event("n-" + i, "node-a", T0 + CausalDay.DAY_MS + 300_000 + i * 1_000, null, null, null));
            }
            h.silence();
            List<Metric> daily = daily(h);
            Map<String, Double> violations = new java.util.TreeMap<>();
            daily.forEach(m -> violations.put(m.labels().get("node"), m.values().get("violations")));
            assertEquals(Map.of("node-b", 2.0, "node-c", 0.0, "*", 2.0), violations);
            long day = 1_699_920_000_000L; // 2023-11-14T00:00Z: T0 is 22:00 that day
            for (Metric m : daily) {
                assertEquals(day, m.windowStart(), "the UTC day the counts are for");
                assertEquals(day + CausalDay.DAY_MS, m.windowEnd());
            }
            assertEquals(3.0, daily.stream().filter(m -> m.labels().get("node").equals("*")).findFirst().orElseThrow()
                    .values().get("effects"));
        }
    }

    private static List<Metric> daily(DetectorHarness h) {
        return h.metrics().stream().filter(m -> m.metric().equals(Causality.METRIC_DAILY)).toList();
    }

    private static RequestEvent op(String id, String node, long ts, String operation, String entity,
                                   Map<String, Long> vc) {
        return op(id, node, ts, operation, entity, null, vc);
    }

    private static RequestEvent op(String id, String node, long ts, String operation, String entity, Long lamport,
                                   Map<String, Long> vc) {
        return new RequestEvent(id, ts, "svc-" + node, "service", node, null, operation, 1, null, Status.SUCCESS, 5.0,
                null, null, null, null, null, Kind.WRITE, entity, lamport, vc, null);
    }

    @ParameterizedTest(name = "later operation first: {0}")
    @ValueSource(booleans = {false, true})
    void aPaymentStampedBeforeItsOrderIsReversedBusinessOrder(boolean laterFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            RequestEvent order = op("order-1", "node-a", T0 + 10_000, "order", "Order[42]", null);
            RequestEvent pay = op("pay-1", "node-b", T0 + 9_200, "PAY", "Order[42]", null);
            RequestEvent create = op("create-1", "node-a", T0 + 20_000, "create", "User[16]", null);
            RequestEvent delete = op("delete-1", "node-c", T0 + 19_000, "delete", "User[16]", null);
            play(h, order, pay, laterFirst);
            h.send(pay); // redelivered: judged once
            play(h, create, delete, laterFirst);
            // In order: nothing to say.
            h.send(op("order-2", "node-a", T0 + 30_000, "order", "Order[7]", null));
            h.send(op("pay-2", "node-b", T0 + 30_500, "pay", "Order[7]", null));
            h.silence();
            List<Finding> findings = h.findings().stream()
                    .filter(f -> "business-order".equals(f.subject().get("rule"))).toList();
            assertEquals(2, findings.size(), findings.toString());
            Finding pays = findings.stream().filter(f -> f.subject().get("order").equals("order>pay")).findFirst()
                    .orElseThrow();
            assertEquals("CAUSALITY_VIOLATION{order=\"order>pay\",rule=\"business-order\"}", pays.fingerprint());
            assertEquals(Severity.ALERT, pays.severity());
            assertTrue(pays.summary().startsWith("Business order broken: pay came before order 1 time in"),
                    pays.summary());
            assertTrue(pays.summary().contains("(1 REVERSED) on Order[42]; judged by timestamps"), pays.summary());
            assertEquals(List.of("Order[42]: pay pay-1 on node-b before order order-1 on node-a: REVERSED (by"
                    + " timestamps, 800 ms)"), pays.evidence());
            Finding deletes = findings.stream().filter(f -> f.subject().get("order").equals("create>delete"))
                    .findFirst().orElseThrow();
            assertTrue(deletes.summary().contains("1 IMPOSSIBLE"), deletes.summary());
            Metric m = h.metrics().stream().filter(x -> x.metric().equals(Causality.METRIC_ORDER)
                    && x.labels().get("order").equals("order>pay")).findFirst().orElseThrow();
            assertEquals(1.0, m.values().get("reversed"));
        }
    }

    @Test
    void vectorClocksDecideBusinessOrderWhateverTheWallClocksSay() {
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = T0 + i * 5_000;
            // node-b's wall clock runs 3 s behind, but pay has seen order: in order, no alert.
            events.add(op("o-" + i, "node-a", t, "order", "Order[" + i + "]", Map.of("node-a", 10L + i)));
            events.add(op("p-" + i, "node-b", t - 3_000, "pay", "Order[" + i + "]",
                    Map.of("node-a", 10L + i, "node-b", 1L + i)));
        }
        // Concurrent: pay never saw the order.
        events.add(op("o-x", "node-a", T0 + 40_000, "order", "Order[99]", Map.of("node-a", 50L)));
        events.add(op("p-x", "node-b", T0 + 41_000, "pay", "Order[99]", Map.of("node-b", 9L)));
        List<Finding> findings = run(events);
        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).summary().contains("(1 UNORDERED) on Order[99]; judged by vector clocks"),
                findings.get(0).summary());
    }

    @ParameterizedTest(name = "later operation first: {0}")
    @ValueSource(booleans = {false, true})
    void logicalClocksJudgeBusinessOrderInEitherArrivalOrder(boolean laterFirst) {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of())) {
            // Vector clocks: pay never saw the order, whatever the wall clocks say (pay is stamped after it).
            play(h, op("o-v", "node-a", T0 + 10_000, "order", "Order[1]", null, Map.of("node-a", 5L)),
                    op("p-v", "node-b", T0 + 11_000, "pay", "Order[1]", null, Map.of("node-b", 3L)), laterFirst);
            // Lamport clocks only: pay's clock is below the order's, though its wall clock is later.
            play(h, op("o-l", "node-a", T0 + 20_000, "order", "Order[2]", 50L, null),
                    op("p-l", "node-b", T0 + 21_000, "pay", "Order[2]", 20L, null), laterFirst);
            // Lamport clocks in order with pay stamped 2 s before the order: in order, nothing to say.
            play(h, op("o-ok", "node-a", T0 + 30_000, "order", "Order[3]", 60L, null),
                    op("p-ok", "node-b", T0 + 28_000, "pay", "Order[3]", 61L, null), laterFirst);
            h.silence();
            List<Finding> findings = h.findings().stream()
                    .filter(f -> "business-order".equals(f.subject().get("rule"))).toList();
            assertEquals(1, findings.size(), findings.toString());
            Finding f = findings.get(0);
            assertTrue(f.summary().contains("on Order[1], Order[2]"), f.summary());
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("Order[1]:") && e.contains("vector clocks")),
                    f.evidence().toString());
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("Order[2]:") && e.contains("Lamport")),
                    f.evidence().toString());
            assertTrue(f.evidence().stream().noneMatch(e -> e.startsWith("Order[3]:")), f.evidence().toString());
        }
    }

    @Test
    void businessOrderCanBeSwitchedOff() {
        try (DetectorHarness h = new DetectorHarness(new Causality(), Map.of("asyncwatch.causality.business-order",
                ""))) {
            h.send(op("order-1", "node-a", T0 + 10_000, "order", "Order[42]", null));
            h.send(op("pay-1", "node-b", T0 + 9_200, "pay", "Order[42]", null));
            h.silence();
            assertEquals(List.of(), h.findings());
        }
        String off = io.asyncwatch.AsyncwatchTopology.build(io.asyncwatch.config.AsyncwatchConfig.fromMap(
                Map.of("asyncwatch.causality.business-order", ""))).describe().toString();
        String on = io.asyncwatch.AsyncwatchTopology.build(io.asyncwatch.config.AsyncwatchConfig.fromMap(Map.of()))
                .describe().toString();
        assertTrue(on.contains("causality-entity-ops-repartition") && !off.contains("causality-entity-ops"),
                "nothing is re-keyed by entity when it is off");
    }
}
