package io.asyncwatch.replay;

import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Writes the input of the checkout-retry-storm golden incident: 25 minutes of a checkout service and its
 * database, a storm from minute 15, with what real recordings contain too: records out of order within the grace
 * period, one far too late, a producer sending garbage and one sending a wrong type.
 * Run once by hand ({@code main}); the test only reads the committed files.
 */
public final class GoldenIncidentWriter {

    /** Writes every incident, or only those named. */
    public static void main(String[] args) throws IOException {
        List<String> only = List.of(args);
        if (only.isEmpty() || only.contains("checkout-retry-storm")) {
            checkoutRetryStorm(Path.of("src/test/resources/incidents/checkout-retry-storm/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("zombie-writes")) {
            write(zombieWrites(), Path.of("src/test/resources/incidents/zombie-writes/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("storm-and-duplicates")) {
            write(stormAndDuplicates(), Path.of("src/test/resources/incidents/storm-and-duplicates/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("death-spiral")) {
            write(deathSpiral(), Path.of("src/test/resources/incidents/death-spiral/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("time-travel")) {
            write(timeTravel(), Path.of("src/test/resources/incidents/time-travel/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("reversed-orders")) {
            write(reversedOrders(), Path.of("src/test/resources/incidents/reversed-orders/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("false-death-split-brain")) {
            write(falseDeathSplitBrain(), Path.of("src/test/resources/incidents/false-death-split-brain/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("logical-clock-jump")) {
            write(logicalClockJump(), Path.of("src/test/resources/incidents/logical-clock-jump/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("clock-drift")) {
            write(clockDrift(), Path.of("src/test/resources/incidents/clock-drift/input.jsonl"));
        }
        if (only.isEmpty() || only.contains("concurrent-writes")) {
            write(concurrentWrites(), Path.of("src/test/resources/incidents/concurrent-writes/input.jsonl"));
        }
    }

    /**
     * Request health: a gateway, a service and its database, and a search service that never retries. At minutes
     * 12 and 13 five percent of svc-search's calls take 800 ms (a latency tail); at minutes 16 and 17 every user
     * intent is tried three times at each layer, on traces, each caller giving up at 1 s while its callee's
     * retries need 3 s (the death spiral and its timeout cascade). Runs of 20 records are shuffled (out of order
     * within grace).
     */
    static List<String> deathSpiral() {
        long start = 1_767_268_800_000L; // 2026-01-01T12:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("api-gateway", "api-gateway", "svc-user", 60, 0.01),
                new TrafficGenerator.Service("svc-user", "service", "db-users", 90, 0.02),
                new TrafficGenerator.Service("db-users", "database", null, 120, 0.005),
                new TrafficGenerator.Service("svc-search", "service", "search-index", 80, 0)),
                List.of(),
                List.of(new io.asyncwatch.demo.LatencySpike("svc-search", 12, 13, 0.05, 800),
                        new io.asyncwatch.demo.DeathSpiral("api-gateway", "svc-user", "db-users", 16, 17, 3)), 12);
        return shuffledInRuns(lines(plan), 12);
    }

    /**
     * The time travel bug: at minutes 10 and 11 svc-shipping handles a message from svc-order every 2 s (each naming
     * its cause in causedBy, Lamport clocks in order) on node svc-shipping-9, whose clock is 700 ms slow; its events
     * are stamped before their causes. Clock readings of two clusters alongside. Runs of 20 records are shuffled
     * (out of order within grace), so effects often arrive before their causes.
     */
    static List<String> timeTravel() {
        long start = 1_767_272_400_000L; // 2026-01-01T13:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-order", "service", "db-orders", 150, 0.02),
                new TrafficGenerator.Service("svc-shipping", "service", "db-orders", 90, 0.02),
                new TrafficGenerator.Service("db-orders", "database", null, 120, 0.005)),
                TrafficGenerator.twoClusters(),
                List.of(new io.asyncwatch.demo.TimeTravel("svc-order", "svc-shipping", "svc-shipping-9", 10, 11,
                        2_000, 700)), 13);
        return shuffledInRuns(lines(plan), 13);
    }

    /**
     * Reversed business order: at minutes 10 and 11 svc-payment pays an order of svc-order 30 ms after it was placed,
     * every 3 s, on node svc-payment-7, whose clock is 450 ms slow: each payment is stamped before its order. No
     * logical clocks, no causedBy. Runs of 20 records are shuffled (out of order within grace).
     */
    static List<String> reversedOrders() {
        long start = 1_767_276_000_000L; // 2026-01-01T14:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-order", "service", "db-orders", 150, 0.02),
                new TrafficGenerator.Service("svc-payment", "service", "db-orders", 90, 0.02),
                new TrafficGenerator.Service("db-orders", "database", null, 120, 0.005)),
                List.of(),
                List.of(new io.asyncwatch.demo.ReversedOrders("svc-order", "svc-payment", "svc-payment-7", 10, 11,
                        3_000, 450)), 14);
        return shuffledInRuns(lines(plan), 14);
    }

    /**
     * Concurrent writes: svc-user's three nodes take turns writing User[42] every 10 s in minutes 10 and 11 with
     * vector clocks in order (node 2's wall clock 700 ms behind); at second 30 of minute 10 two of them write without
     * seeing each other, at second 30 of minute 11 all three. Normal writes at both layers alongside (no vector
     * clocks, one intent each). Runs of 20 records are shuffled (out of order within grace).
     */
    static List<String> concurrentWrites() {
        long start = 1_767_279_600_000L; // 2026-01-01T15:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-user", "service", "db-users", 150, 0.02, 0.3),
                new TrafficGenerator.Service("db-users", "database", null, 120, 0.005)),
                List.of(),
                List.of(new io.asyncwatch.demo.ConcurrentWriteConflict("svc-user", "User[42]", 10, 11)), 15);
        return shuffledInRuns(lines(plan), 15);
    }

    /**
     * Heartbeats and clock readings of two clusters (three nodes each, a heartbeat every 5 s) beside a little request
     * traffic: users-3 pauses for 20 s at 16:08:10 (a false death: its sequence continues), orders-2 loses two
     * heartbeats in minute 11 (a sequence gap) and claims to lead orders-cluster in term 4 for 30 s from 16:14:10 (a
     * split brain), orders-3's clock readings are 650 ms ahead at 16:18 and 16:19 (clock skew). Runs of 20 records are
     * shuffled (out of order within grace).
     */
    static List<String> falseDeathSplitBrain() {
        long start = 1_767_283_200_000L; // 2026-01-01T16:00:00Z
        io.asyncwatch.demo.Scenario lossy = m -> m.rewrite(g -> g.event() instanceof HeartbeatEvent h
                && h.node().equals("orders-2") && m.index() == 11 && (h.sequence() % 12 == 3 || h.sequence() % 12 == 4)
                ? null : g);
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-user", "service", "db-users", 60, 0.02),
                new TrafficGenerator.Service("db-users", "database", null, 60, 0.005)),
                TrafficGenerator.twoClusters(),
                List.of(new io.asyncwatch.demo.PausedNode("users-cluster", "users-3", 8, 20_000), lossy,
                        new io.asyncwatch.demo.SkewedClock("orders-cluster", "orders-3", 18, 19, 650),
                        new io.asyncwatch.demo.SecondLeader("orders-cluster", "orders-2", 14, 30)), 16);
        return shuffledInRuns(lines(plan), 16);
    }

    /**
     * Logical clock jumps (the seeds' "Node-D: JUMP DETECTED"): two clusters beside a little request traffic;
     * orders-3's clock readings jump 5 000 ahead at minute 10 (ALERT), users-1's 20 000 at minute 16 (PAGE). Runs
     * of 20 records are shuffled (readings out of order within grace).
     */
    static List<String> logicalClockJump() {
        long start = 1_767_297_600_000L; // 2026-01-01T20:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-user", "service", "db-users", 60, 0.02),
                new TrafficGenerator.Service("db-users", "database", null, 60, 0.005)),
                TrafficGenerator.twoClusters(),
                List.of(new io.asyncwatch.demo.LogicalClockJump("orders-3", 10, 5_000),
                        new io.asyncwatch.demo.LogicalClockJump("users-1", 16, 20_000)), 21);
        return shuffledInRuns(lines(plan), 21);
    }

    /**
     * Clock drift, a failing NTP sync and a node living in the future that publishes no clock readings: two clusters
     * beside a little request traffic. orders-2's readings say 80 ppm of drift at minutes 6 to 8; users-2's say
     * syncOk=false at minutes 12 and 13; users-3 never publishes clock readings, and at minutes 17 and 18 stamps its
     * heartbeats 400 ms ahead of their arrival. Runs of 20 records are shuffled (out of order within grace).
     */
    static List<String> clockDrift() {
        long start = 1_767_294_000_000L; // 2026-01-01T19:00:00Z
        io.asyncwatch.demo.Scenario clocks = m -> m.rewrite(g -> {
            if (g.event() instanceof ClockEvent c) {
                if (c.node().equals("users-3")) {
                    return null;
                }
                boolean drifting = c.node().equals("orders-2") && m.index() >= 6 && m.index() <= 8;
                boolean unsynced = c.node().equals("users-2") && m.index() >= 12 && m.index() <= 13;
                if (drifting || unsynced) {
                    return TrafficGenerator.Generated.clock(new ClockEvent(c.eventId(), c.node(), c.cluster(),
                            c.timestamp(), c.offsetMs(), drifting ? 80.0 : c.driftPpm(), !unsynced, c.lamport(),
                            c.vectorClock()));
                }
            }
            if (g.event() instanceof HeartbeatEvent h && h.node().equals("users-3") && m.index() >= 17
                    && m.index() <= 18) {
                // Stamped 400 ms ahead by its sender; the record keeps its arrival time.
                return new TrafficGenerator.Generated("heartbeats", g.timestamp(), g.key(), new HeartbeatEvent(
                        h.eventId(), h.node(), h.cluster(), h.timestamp() + 400, h.sequence(), h.role(), h.term(),
                        h.intervalMs()));
            }
            return g;
        });
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-user", "service", "db-users", 60, 0.02),
                new TrafficGenerator.Service("db-users", "database", null, 60, 0.005)),
                TrafficGenerator.twoClusters(), List.of(clocks), 19);
        return shuffledInRuns(lines(plan), 19);
    }

    /**
     * A payment service whose database commits writes after the client timed out (minutes 10 and 11, 3 a
     * minute), among normal writes at both layers and ordinary retries; heartbeats and clock readings of two
     * clusters alongside.
     */
    static List<String> zombieWrites() {
        long start = 1_767_261_600_000L; // 2026-01-01T10:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-payment", "service", "db-payments", 120, 0.02, 0.5),
                new TrafficGenerator.Service("db-payments", "database", null, 100, 0.01)),
                TrafficGenerator.twoClusters(),
                List.of(new io.asyncwatch.demo.DuplicateWrites("svc-payment", "db-payments", 10, 11, 3)), 7);
        return lines(plan);
    }

    /**
     * Two incidents at once: duplicate writes at db-orders (minutes 8 and 9) while svc-order's retry storm
     * builds (from minute 15): two fingerprints, two resolution policies, one alert stage.
     */
    static List<String> stormAndDuplicates() {
        long start = 1_767_265_200_000L; // 2026-01-01T11:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 30, List.of(
                new TrafficGenerator.Service("svc-order", "service", "db-orders", 200, 0.02, 0.3),
                new TrafficGenerator.Service("db-orders", "database", null, 150, 0.01)),
                List.of(),
                List.of(new io.asyncwatch.demo.DuplicateWrites("svc-order", "db-orders", 8, 9, 4),
                        new TrafficGenerator.Storm("svc-order", 15, List.of(6.0, 12.0, 12.0, 6.0))), 8);
        return lines(plan);
    }

    /** Runs of 20 records shuffled: out of order within the grace period. */
    private static List<String> shuffledInRuns(List<String> lines, long seed) {
        Random random = new Random(seed);
        for (int from = 0; from + 20 <= lines.size(); from += 20) {
            Collections.shuffle(lines.subList(from, from + 20), random);
        }
        return lines;
    }

    private static List<String> lines(TrafficGenerator.Plan plan) {
        List<String> lines = new ArrayList<>();
        for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan); it.hasNext(); ) {
            TrafficGenerator.Generated g = it.next();
            lines.add(Recording.line(g.topic(), g.timestamp(), g.key(), g.event()));
        }
        return lines;
    }

    private static void write(List<String> lines, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
        System.err.println("wrote " + lines.size() + " lines to " + out);
    }

    static void checkoutRetryStorm(Path out) throws IOException {
        long start = 1_767_258_000_000L; // 2026-01-01T09:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-checkout", "service", "db-orders", 120, 0.02),
                new TrafficGenerator.Service("db-orders", "database", null, 80, 0.01)),
                List.of(new TrafficGenerator.Storm("svc-checkout", 15, List.of(4.0, 12.0, 12.0, 12.0, 6.0))), 2026);
        List<String> lines = new ArrayList<>();
        for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan); it.hasNext(); ) {
            TrafficGenerator.Generated g = it.next();
            lines.add(Recording.line(g.topic(), g.timestamp(), g.key(), g.event()));
        }
        Random random = new Random(5);
        // Out of order within grace: shuffle runs of 20 records (a few seconds of traffic).
        for (int from = 0; from + 20 <= lines.size(); from += 20) {
            Collections.shuffle(lines.subList(from, from + 20), random);
        }
        int i = lines.size() / 2;
        lines.add(i, "{\"topic\":\"requests\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":\"\\u0000\\u0001garbage from a broken producer\"}");
        lines.add(i + 1, "{\"topic\":\"requests\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":{\"eventId\":\"bad-1\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"service\":\"svc-checkout\",\"layer\":\"service\",\"attempt\":\"2\",\"status\":\"TIMEOUT\","
                + "\"latencyMs\":1000}}");
        // A retry stamped minute 2, appended at minute 13: far beyond grace.
        lines.add(i + 2, "{\"topic\":\"requests\",\"timestamp\":" + (start + 2 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":{\"eventId\":\"late-1\",\"timestamp\":" + (start + 2 * 60_000)
                + ",\"service\":\"svc-checkout\",\"layer\":\"service\",\"attempt\":2,\"status\":\"TIMEOUT\","
                + "\"latencyMs\":1000.0}}");
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
        System.err.println("wrote " + lines.size() + " lines to " + out);
    }
}
