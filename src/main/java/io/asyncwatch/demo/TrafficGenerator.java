package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.Recording;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Synthetic traffic for the demo, the benchmark and test fixtures: normal traffic (services in layers with their
 * own volume, retry share and writes; clusters of nodes sending heartbeats and clock readings) plus a list of
 * {@link Scenario}s that each disturb it in one way (a retry storm, duplicate writes, ...).
 * Deterministic for a given plan (one seeded {@link java.util.Random}), generated lazily minute by minute, each
 * minute sorted by timestamp, in constant memory.
 */
public final class TrafficGenerator {

    /**
     * A service making calls to {@code destination}. A share {@code writeShare} of its intents are writes to its
     * destination, which must then be a service of the plan too (its database): both report the write.
     */
    public record Service(String name, String layer, String destination, int attemptsPerMinute,
                          double retryShare, double writeShare) {

        public Service {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(layer, "layer");
            if (writeShare < 0 || writeShare > 1) {
                throw new IllegalArgumentException("writeShare of " + name + " must be within 0..1, got " + writeShare);
            }
            if (writeShare > 0 && destination == null) {
                throw new IllegalArgumentException(name + " writes, so it needs a destination (its database)");
            }
        }

        /** A service that only calls (no writes). */
        public Service(String name, String layer, String destination, int attemptsPerMinute, double retryShare) {
            this(name, layer, destination, attemptsPerMinute, retryShare, 0);
        }
    }

    /** Nodes that elect a leader: the first node leads in {@code term}, the others follow. */
    public record Cluster(String name, List<String> nodes, long term) {

        public Cluster {
            nodes = List.copyOf(nodes);
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("cluster " + name + " has no nodes");
            }
        }
    }

    /** From {@code startMinute} on, the service's retry share is multiplied by each factor in turn, one per minute. */
    public record Storm(String service, int startMinute, List<Double> multipliers) implements Scenario {

        public Storm {
            multipliers = List.copyOf(multipliers);
        }

        double multiplierAt(int minute) {
            int i = minute - startMinute;
            return i >= 0 && i < multipliers.size() ? multipliers.get(i) : 1.0;
        }

        @Override
        public void minute(Minute minute) {
            minute.multiplyRetryShare(service, multiplierAt(minute.index()));
        }

        @Override
        public List<ExpectedEpisode> expectedEpisodes() {
            return List.of(ExpectedEpisode.of(AlertType.RETRY_STORM, "service", service));
        }
    }

    public record Plan(long startTime, int minutes, List<Service> services, List<Cluster> clusters,
                       List<Scenario> scenarios, long seed) {

        public Plan {
            services = List.copyOf(services);
            clusters = List.copyOf(clusters);
            scenarios = List.copyOf(scenarios);
            if (minutes < 0) {
                throw new IllegalArgumentException("minutes must be >= 0, got " + minutes);
            }
            Set<String> names = new HashSet<>();
            services.forEach(s -> names.add(s.name()));
            for (Service s : services) {
                if (s.writeShare() > 0 && !names.contains(s.destination())) {
                    throw new IllegalArgumentException(s.name() + " writes to " + s.destination()
                            + ", which is not a service of the plan");
                }
            }
        }

        /** Request traffic only, with storms: what the retry-storm tests need. */
        public Plan(long startTime, int minutes, List<Service> services, List<Storm> storms, long seed) {
            this(startTime, minutes, services, List.of(), List.<Scenario>copyOf(storms), seed);
        }

        public List<Storm> storms() {
            List<Storm> storms = new ArrayList<>();
            for (Scenario s : scenarios) {
                if (s instanceof Storm storm) {
                    storms.add(storm);
                }
            }
            return storms;
        }

        /** What the scenarios should make asyncwatch report, each episode FIRING and then RESOLVED. */
        public List<ExpectedEpisode> expectedEpisodes() {
            List<ExpectedEpisode> expected = new ArrayList<>();
            scenarios.forEach(s -> expected.addAll(s.expectedEpisodes()));
            return expected;
        }

        /** Events in a minute of normal traffic: requests, heartbeats and clock readings (scenarios not counted). */
        public long normalEventsPerMinute() {
            long n = 0;
            for (Service s : services) {
                n += s.attemptsPerMinute();
            }
            for (Cluster c : clusters) {
                n += (long) c.nodes().size()
                        * (ClusterTraffic.HEARTBEATS_PER_MINUTE + ClusterTraffic.CLOCKS_PER_MINUTE);
            }
            return n;
        }
    }

    /**
     * One generated record: logical topic ({@code requests}, {@code heartbeats}, {@code clocks}), Kafka record
     * timestamp, key and event ({@link RequestEvent}, {@link HeartbeatEvent} or {@link ClockEvent}).
     */
    public record Generated(String topic, long timestamp, String key, Object event) {

        public Generated {
            String expected = event instanceof RequestEvent ? "requests" : event instanceof HeartbeatEvent
                    ? "heartbeats" : event instanceof ClockEvent ? "clocks" : null;
            if (expected == null || !expected.equals(topic)) {
                throw new IllegalArgumentException("a " + (event == null ? "null" : event.getClass().getSimpleName())
                        + " does not belong on topic '" + topic + "'");
            }
        }

        /** Keyed by service, record timestamp = event timestamp (as the contract's senders do). */
        public static Generated request(RequestEvent e) {
            return new Generated("requests", e.timestamp(), e.service(), e);
        }

        /** Keyed by node. */
        public static Generated heartbeat(HeartbeatEvent e) {
            return new Generated("heartbeats", e.timestamp(), e.node(), e);
        }

        /** Keyed by node. */
        public static Generated clock(ClockEvent e) {
            return new Generated("clocks", e.timestamp(), e.node(), e);
        }
    }

    private TrafficGenerator() {
    }

    /** The demo: {@link #demoPlan(long, int, int, long)} for 75 minutes at scale 1. */
    public static Plan demoPlan(long startTime, long seed) {
        return demoPlan(startTime, 75, 1, seed);
    }

    /**
     * Three layers of services (volumes times {@code scale}) and two clusters; normal traffic disturbed by users-2's
     * clock 350 ms ahead in minutes 20..21, a latency
     * tail on svc-search in minutes 25..27, svc-payment's messages from svc-order stamped before their causes by a
     * node 900 ms slow (svc-payment-3) in minutes 32..33, svc-payment's payments stamped before svc-order's orders
     * they pay by svc-payment-1, 600 ms slow, in minutes 36..37 (reversed business order), duplicate writes of
     * svc-payment's intents on db-orders in minutes 40..43, concurrent writes to User[42] by svc-user's nodes in minutes
     * 44..45 (a pair, then a three-way conflict), a death spiral down api-gateway, svc-user and db-users
     * (3 tries at every layer, on traces) in minutes 48..49, users-3 pausing for 20 s in minute 52 (a false death), orders-3's logical clock jumping 5 000 ahead in minute 55,
     * orders-2 claiming to lead orders-cluster for 30 s in minute 58 (a split brain), then from minute 62 a retry storm on
     * svc-order that escalates and dies down.
     */
    public static Plan demoPlan(long startTime, int minutes, int scale, long seed) {
        return new Plan(startTime, minutes, threeLayers(scale), twoClusters(), List.of(
                new SkewedClock("users-cluster", "users-2", 20, 21, 350),
                new LatencySpike("svc-search", 25, 27, 0.05, 800),
                new TimeTravel("svc-order", "svc-payment", "svc-payment-3", 32, 33, 2_000, 900),
                new ReversedOrders("svc-order", "svc-payment", "svc-payment-1", 36, 37, 3_000, 600),
                new DuplicateWrites("svc-payment", "db-orders", 40, 43, 5),
                new ConcurrentWriteConflict("svc-user", "User[42]", 44, 45),
                new DeathSpiral("api-gateway", "svc-user", "db-users", 48, 49, 3),
                new PausedNode("users-cluster", "users-3", 52, 20_000),
                new LogicalClockJump("orders-3", 55, 5_000),
                new SecondLeader("orders-cluster", "orders-2", 58, 30),
                new Storm("svc-order", 62, List.of(3.0, 8.0, 15.0, 15.0, 12.0, 8.0))), seed);
    }

    /** The demo's services with volumes scaled by {@code scale}; three services of the middle layer write. */
    public static List<Service> threeLayers(int scale) {
        return List.of(
                new Service("api-gateway", "api-gateway", "svc-order", 600 * scale, 0.01),
                new Service("svc-order", "service", "db-orders", 300 * scale, 0.02, 0.3),
                new Service("svc-user", "service", "db-users", 240 * scale, 0.02, 0.1),
                new Service("svc-payment", "service", "db-orders", 120 * scale, 0.03, 0.5),
                // Never retries, so its calls never end at the timeout: its usual tail is short.
                new Service("svc-search", "service", "search-index", 200 * scale, 0),
                new Service("db-orders", "database", null, 500 * scale, 0.005),
                new Service("db-users", "database", null, 300 * scale, 0.005));
    }

    /** Two clusters of three nodes each. */
    public static List<Cluster> twoClusters() {
        return List.of(
                new Cluster("orders-cluster", List.of("orders-1", "orders-2", "orders-3"), 4),
                new Cluster("users-cluster", List.of("users-1", "users-2", "users-3"), 2));
    }

    public static Iterator<Generated> events(Plan plan) {
        return new TrafficStream(plan);
    }

    /** Writes the plan's events as a recording (JSON Lines, see {@link Recording}); returns how many. */
    public static long writeRecording(Plan plan, Path file) throws IOException {
        long n = 0;
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Iterator<Generated> it = events(plan); it.hasNext(); ) {
                Generated g = it.next();
                w.write(Recording.line(g.topic(), g.timestamp(), g.key(), g.event()));
                w.write('\n');
                n++;
            }
        }
        return n;
    }
}
