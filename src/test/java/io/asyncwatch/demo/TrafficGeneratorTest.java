package io.asyncwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.demo.TrafficGenerator.Storm;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Role;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

    /** 2023-11-14T22:13:00Z: a fixed, minute-aligned instant, never now(). */
    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 60_000L;
    private static final long SEED = 42;

    private static void forEach(Plan plan, Consumer<Generated> action) {
        for (Iterator<Generated> it = TrafficGenerator.events(plan); it.hasNext(); ) {
            action.accept(it.next());
        }
    }

    private static int minuteOf(Plan plan, long timestamp) {
        return (int) ((timestamp - plan.startTime()) / 60_000L);
    }

    private static Plan normalTraffic(int minutes) {
        return new Plan(START, minutes, TrafficGenerator.threeLayers(1), TrafficGenerator.twoClusters(), List.of(),
                SEED);
    }

    @Test
    void theSameSeedGivesTheSameEventsAndAnotherSeedOthers() {
        Plan plan = TrafficGenerator.demoPlan(START, 20, 1, SEED);
        Iterator<Generated> a = TrafficGenerator.events(plan);
        Iterator<Generated> b = TrafficGenerator.events(plan);
        long n = 0;
        while (a.hasNext()) {
            assertTrue(b.hasNext(), "second run ends early at " + n);
            assertEquals(a.next(), b.next(), "event " + n);
            n++;
        }
        assertFalse(b.hasNext());
        assertTrue(n > 20 * 2_000, "events: " + n);

        Iterator<Generated> c = TrafficGenerator.events(TrafficGenerator.demoPlan(START, 20, 1, SEED + 1));
        Iterator<Generated> d = TrafficGenerator.events(plan);
        boolean differs = false;
        for (int i = 0; i < 1_000 && c.hasNext() && d.hasNext(); i++) {
            differs |= !c.next().equals(d.next());
        }
        assertTrue(differs, "another seed, other events");
    }

    @Test
    void theDemoHasAllThreeTopicsSortedByTimestampWithinThePlan() {
        Plan plan = TrafficGenerator.demoPlan(START, SEED);
        Map<String, Long> byTopic = new TreeMap<>();
        long[] last = {Long.MIN_VALUE};
        forEach(plan, g -> {
            byTopic.merge(g.topic(), 1L, Long::sum);
            assertTrue(g.timestamp() >= last[0], "sorted: " + g + " after " + last[0]);
            last[0] = g.timestamp();
            int minute = minuteOf(plan, g.timestamp());
            assertTrue(minute >= 0 && minute < plan.minutes(), g::toString);
            switch (g.topic()) {
                case "requests" -> {
                    RequestEvent e = (RequestEvent) g.event();
                    assertEquals(e.timestamp(), g.timestamp());
                    assertEquals(e.service(), g.key());
                }
                case "heartbeats" -> {
                    HeartbeatEvent e = (HeartbeatEvent) g.event();
                    assertEquals(e.timestamp(), g.timestamp());
                    assertEquals(e.node(), g.key());
                }
                case "clocks" -> {
                    ClockEvent e = (ClockEvent) g.event();
                    assertEquals(e.timestamp(), g.timestamp());
                    assertEquals(e.node(), g.key());
                    // users-2's clock is 350 ms ahead in minutes 20-21 (SkewedClock); every other reading within 5 ms.
                    boolean skewed = e.node().equals("users-2") && minute >= 20 && minute <= 21;
                    assertTrue(Math.abs(e.offsetMs() - (skewed ? 350 : 0)) <= 5, "offset " + e.offsetMs());
                    assertTrue(Math.abs(e.driftPpm()) <= 5, "drift " + e.driftPpm());
                    assertEquals(Boolean.TRUE, e.syncOk());
                }
                default -> throw new AssertionError("topic " + g.topic());
            }
        });
        assertEquals(Set.of("clocks", "heartbeats", "requests"), byTopic.keySet());
        // Six nodes: a heartbeat every 5 s and a clock reading every 30 s each, less the 4 heartbeats users-3 does not
        // send while it is paused (20 s).
        assertEquals(6L * 12 * plan.minutes() - 4, byTopic.get("heartbeats"));
        assertEquals(6L * 2 * plan.minutes(), byTopic.get("clocks"));
    }

    @Test
    void heartbeatsCountUpByOnePerNodeWithOneLeaderPerCluster() {
        Plan plan = normalTraffic(10);
        Map<String, Long> lastSequence = new HashMap<>();
        Map<String, Long> lastTime = new HashMap<>();
        Map<String, Set<String>> leaders = new TreeMap<>();
        forEach(plan, g -> {
            if (g.event() instanceof HeartbeatEvent h) {
                Long previous = lastSequence.put(h.node(), h.sequence());
                if (previous != null) {
                    assertEquals(previous + 1, h.sequence(), h.node());
                    assertEquals(5_000L, h.timestamp() - lastTime.get(h.node()), h.node());
                }
                lastTime.put(h.node(), h.timestamp());
                assertEquals(5_000L, h.intervalMs());
                if (h.role() == Role.LEADER) {
                    leaders.computeIfAbsent(h.cluster(), k -> new TreeSet<>()).add(h.node());
                } else {
                    assertEquals(Role.FOLLOWER, h.role());
                }
            }
        });
        assertEquals(Set.of("orders-1", "orders-2", "orders-3", "users-1", "users-2", "users-3"),
                lastSequence.keySet());
        assertEquals(Map.of("orders-cluster", Set.of("orders-1"), "users-cluster", Set.of("users-1")), leaders);
    }

    /** Per (service, requestId): the write attempts, in stream order. */
    private static Map<List<String>, List<RequestEvent>> writes(Plan plan) {
        Map<List<String>, List<RequestEvent>> writes = new HashMap<>();
        forEach(plan, g -> {
            if (g.event() instanceof RequestEvent r && r.kind() == Kind.WRITE) {
                writes.computeIfAbsent(List.of(r.service(), r.requestId()), k -> new ArrayList<>()).add(r);
            }
        });
        return writes;
    }

    private static long successes(List<RequestEvent> attempts) {
        return attempts.stream().filter(r -> r.status() == Status.SUCCESS).count();
    }

    @Test
    void normalTrafficNeverWritesTwiceForOneIntent() {
        Plan plan = normalTraffic(20);
        Map<List<String>, List<RequestEvent>> writes = writes(plan);
        Map<String, Set<String>> byRequest = new HashMap<>();
        int retried = 0;
        for (Map.Entry<List<String>, List<RequestEvent>> e : writes.entrySet()) {
            assertTrue(successes(e.getValue()) <= 1, () -> "two SUCCESS WRITEs: " + e);
            byRequest.computeIfAbsent(e.getKey().get(1), k -> new TreeSet<>()).add(e.getKey().get(0));
            if (e.getValue().stream().anyMatch(r -> r.status() == Status.TIMEOUT)) {
                retried++;
                // Attempt 1 timed out before it reached the database, attempt 2 succeeded.
                assertEquals(List.of(1, 2), e.getValue().stream().map(RequestEvent::attempt).toList(), e::toString);
                assertEquals(1, successes(writes.get(List.of(e.getValue().get(0).destination(), e.getKey().get(1)))));
            }
        }
        assertTrue(writes.size() > 20 * 100, "writes: " + writes.size());
        assertTrue(retried > 10, "retried writes: " + retried);
        // One intent, two layers: the service and its database, under the same requestId.
        Set<Set<String>> layers = new HashSet<>(byRequest.values());
        assertTrue(layers.contains(Set.of("svc-order", "db-orders")), layers::toString);
        assertTrue(layers.contains(Set.of("svc-payment", "db-orders")), layers::toString);
        assertTrue(layers.contains(Set.of("svc-user", "db-users")), layers::toString);
    }

    @Test
    void duplicateWritesHappenExactlyInTheScenariosMinutesOnItsDatabase() {
        Plan plan = TrafficGenerator.demoPlan(START, SEED);
        Map<List<String>, List<RequestEvent>> writes = writes(plan);
        Map<Integer, Integer> duplicatesPerMinute = new TreeMap<>();
        for (Map.Entry<List<String>, List<RequestEvent>> e : writes.entrySet()) {
            if (successes(e.getValue()) > 1) {
                assertEquals("db-orders", e.getKey().get(0), e::toString);
                RequestEvent first = e.getValue().get(0);
                duplicatesPerMinute.merge(minuteOf(plan, first.timestamp()), 1, Integer::sum);
                List<RequestEvent> client = writes.get(List.of("svc-payment", e.getKey().get(1)));
                assertEquals(List.of(Status.TIMEOUT, Status.SUCCESS),
                        client.stream().map(RequestEvent::status).toList(), e::toString);
                assertEquals(RequestFactory.TIMEOUT_MS, client.get(0).latencyMs());
                assertTrue(e.getValue().stream().allMatch(r -> r.timestamp() - client.get(0).timestamp() < 600_000));
            }
        }
        assertEquals(Map.of(40, 5, 41, 5, 42, 5, 43, 5), duplicatesPerMinute);
    }

    @Test
    void volumesAndRetrySharesStayWhatThePlanSays() {
        Plan plan = normalTraffic(20);
        Map<String, long[]> counts = new TreeMap<>();
        forEach(plan, g -> {
            if (g.event() instanceof RequestEvent r) {
                long[] c = counts.computeIfAbsent(r.service(), k -> new long[2]);
                c[0]++;
                c[1] += r.isRetry() ? 1 : 0;
            }
        });
        for (Service s : plan.services()) {
            double perMinute = counts.get(s.name())[0] / (double) plan.minutes();
            double share = counts.get(s.name())[1] / (double) counts.get(s.name())[0];
            assertEquals(s.attemptsPerMinute(), perMinute, s.attemptsPerMinute() * 0.03, s.name());
            assertEquals(s.retryShare(), share, s.retryShare() * 0.35, s.name());
        }
    }

    @Test
    void theRetryStormMultipliesItsServicesRetries() {
        Plan plan = TrafficGenerator.demoPlan(START, SEED);
        Map<Integer, long[]> perMinute = new TreeMap<>();
        forEach(plan, g -> {
            if (g.event() instanceof RequestEvent r && r.service().equals("svc-order")) {
                long[] c = perMinute.computeIfAbsent(minuteOf(plan, g.timestamp()), k -> new long[2]);
                c[0]++;
                c[1] += r.isRetry() ? 1 : 0;
            }
        });
        double calm = share(perMinute, 0, 60);
        assertEquals(0.02, calm, 0.005);
        assertTrue(share(perMinute, 64, 66) > 10 * calm, () -> "storm share " + share(perMinute, 64, 66));
        assertEquals(calm, share(perMinute, 70, 75), 0.01);
    }

    private static double share(Map<Integer, long[]> perMinute, int from, int to) {
        long attempts = 0;
        long retries = 0;
        for (int m = from; m < to; m++) {
            attempts += perMinute.get(m)[0];
            retries += perMinute.get(m)[1];
        }
        return retries / (double) attempts;
    }

    @Test
    void aRequestOnlyPlanHasNeitherHeartbeatsNorClocks() {
        Plan plan = new Plan(START, 3, List.of(new Service("svc-a", "service", "db-a", 100, 0.02)),
                List.of(new Storm("svc-a", 1, List.of(5.0))), SEED);
        Set<String> topics = new TreeSet<>();
        forEach(plan, g -> topics.add(g.topic()));
        assertEquals(Set.of("requests"), topics);
        assertEquals(1, plan.storms().size());
    }

    @Test
    void aScenarioCanRewriteNormalTraffic() {
        // Lost heartbeats, the way a later scenario would make them: orders-2's heartbeats of minute 3 never arrive.
        Scenario loss = minute -> {
            if (minute.index() == 3) {
                minute.rewrite(g -> g.event() instanceof HeartbeatEvent h && h.node().equals("orders-2") ? null : g);
            }
        };
        Plan plan = new Plan(START, 6, List.of(), TrafficGenerator.twoClusters(), List.of(loss), SEED);
        List<Long> sequences = new ArrayList<>();
        forEach(plan, g -> {
            if (g.event() instanceof HeartbeatEvent h && h.node().equals("orders-2")) {
                sequences.add(h.sequence());
            }
        });
        assertEquals(5 * 12, sequences.size());
        // The node kept counting: the sequence shows the twelve lost heartbeats as a gap.
        assertEquals(13L, sequences.get(36) - sequences.get(35), sequences::toString);
    }

    @Test
    void theScenariosSayWhichEpisodesTheyExpect() {
        List<ExpectedEpisode> expected = TrafficGenerator.demoPlan(START, SEED).expectedEpisodes();
        assertEquals(List.of(new ExpectedEpisode(AlertType.CLOCK_SKEW, Map.of("cluster", "users-cluster", "node", "users-2")),
                ExpectedEpisode.of(AlertType.LATENCY_TAIL, "service", "svc-search"),
                ExpectedEpisode.of(AlertType.CAUSALITY_VIOLATION, "node", "svc-payment-3"),
                ExpectedEpisode.of(AlertType.CAUSALITY_VIOLATION, "order", "order>pay"),
                new ExpectedEpisode(AlertType.CONCURRENT_WRITE, Map.of("entityType", "Order", "basis", "same-second")),
                ExpectedEpisode.of(AlertType.DUPLICATE_OPERATION, "service", "db-orders"),
                ExpectedEpisode.of(AlertType.CONCURRENT_WRITE, "entity", "User[42]"),
                new ExpectedEpisode(AlertType.LAYER_AMPLIFICATION, Map.of("entry", "api-gateway")),
                ExpectedEpisode.of(AlertType.CASCADE_TIMEOUT, "service", "api-gateway"),
                new ExpectedEpisode(AlertType.FALSE_DEATH, Map.of("cluster", "users-cluster", "node", "users-3")),
                ExpectedEpisode.of(AlertType.LOGICAL_CLOCK_JUMP, "node", "orders-3"),
                ExpectedEpisode.of(AlertType.SPLIT_BRAIN, "cluster", "orders-cluster"),
                ExpectedEpisode.of(AlertType.RETRY_STORM, "service", "svc-order")), expected);

        ExpectedEpisode storm = expected.get(12);
        assertTrue(storm.resolvedBy(alert(AlertType.RETRY_STORM, AlertStatus.RESOLVED,
                Map.of("service", "svc-order", "layer", "service"))));
        assertFalse(storm.resolvedBy(alert(AlertType.RETRY_STORM, AlertStatus.FIRING, Map.of("service", "svc-order"))));
        assertFalse(storm.resolvedBy(alert(AlertType.RETRY_STORM, AlertStatus.RESOLVED,
                Map.of("service", "svc-user"))));
        assertFalse(storm.resolvedBy(alert(AlertType.LATENCY_TAIL, AlertStatus.RESOLVED,
                Map.of("service", "svc-order"))));
    }

    private static Alert alert(AlertType type, AlertStatus status, Map<String, String> subject) {
        return new Alert("id", "fp", type, Severity.PAGE, status, subject, "summary", 1, 1, START, START, List.of(),
                List.of());
    }

    @Test
    void generatedEventsMustMatchTheirTopic() {
        RequestEvent r = new RequestEvent("e", START, "svc", "service", null, null, null, 1, null, Status.SUCCESS,
                1.0, null, null, null, null, null, null, null, null, null, null);
        assertEquals("requests", Generated.request(r).topic());
        assertThrows(IllegalArgumentException.class, () -> new Generated("heartbeats", START, "svc", r));
        assertEquals("svc", Generated.request(r).key());
    }
}
