package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Cluster;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The plan's clusters in one minute, healthy: every node sends a heartbeat every 5 s (sequence +1 each, the
 * cluster's first node LEADER, the others FOLLOWER, one term) and a clock reading every 30 s (offset within
 * +-5 ms of the reference, drift within +-5 ppm, sync ok).
 */
final class ClusterTraffic {

    static final long HEARTBEAT_INTERVAL_MS = 5_000;
    static final long CLOCK_INTERVAL_MS = 30_000;
    static final int HEARTBEATS_PER_MINUTE = (int) (60_000 / HEARTBEAT_INTERVAL_MS);
    static final int CLOCKS_PER_MINUTE = (int) (60_000 / CLOCK_INTERVAL_MS);

    private final List<Node> nodes = new ArrayList<>();
    private final Random random;

    /** One node's fixed traits and its counters; the counters carry over from minute to minute. */
    private static final class Node {
        final String name;
        final Cluster cluster;
        final Role role;
        final long heartbeatPhase;
        final long clockPhase;
        final double offsetMs;
        final double driftPpm;
        long sequence;
        long readings;

        Node(String name, Cluster cluster, Role role, long heartbeatPhase, long clockPhase, double offsetMs,
             double driftPpm) {
            this.name = name;
            this.cluster = cluster;
            this.role = role;
            this.heartbeatPhase = heartbeatPhase;
            this.clockPhase = clockPhase;
            this.offsetMs = offsetMs;
            this.driftPpm = driftPpm;
        }
    }

    ClusterTraffic(List<Cluster> clusters, Random random) {
        this.random = random;
        for (Cluster c : clusters) {
            for (String name : c.nodes()) {
                // Nodes started at different times: their periods are out of phase. Each clock has its own
                // small, steady error around which its readings scatter.
                nodes.add(new Node(name, c, name.equals(c.nodes().get(0)) ? Role.LEADER : Role.FOLLOWER,
                        random.nextInt((int) HEARTBEAT_INTERVAL_MS), random.nextInt((int) CLOCK_INTERVAL_MS),
                        uniform(3), uniform(4)));
            }
        }
    }

    void minute(Minute m, Consumer<Generated> out) {
        for (Node n : nodes) {
            for (long t = m.start() + n.heartbeatPhase; t < m.end(); t += HEARTBEAT_INTERVAL_MS) {
                out.accept(Generated.heartbeat(new HeartbeatEvent(n.name + "-hb-" + n.sequence, n.name,
                        n.cluster.name(), t, n.sequence++, n.role, n.cluster.term(), HEARTBEAT_INTERVAL_MS)));
            }
            for (long t = m.start() + n.clockPhase; t < m.end(); t += CLOCK_INTERVAL_MS) {
                double offset = Math.round((n.offsetMs + uniform(2)) * 1000) / 1000.0;
                double drift = Math.round((n.driftPpm + uniform(1)) * 100) / 100.0;
                out.accept(Generated.clock(new ClockEvent(n.name + "-clock-" + n.readings++, n.name,
                        n.cluster.name(), t, offset, drift, true, null, null)));
            }
        }
    }

    /** Uniform in [-bound, bound). */
    private double uniform(double bound) {
        return (random.nextDouble() * 2 - 1) * bound;
    }
}
