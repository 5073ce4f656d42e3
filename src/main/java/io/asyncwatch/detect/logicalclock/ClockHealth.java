package io.asyncwatch.detect.logicalclock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The health of logical clocks, the seeds' logical clock inspector: a node's consecutive readings (a Lamport clock or
 * a vector component going backwards, or jumping by more than a threshold), and a node's vector clock against the
 * rest of its cluster ("Node-C: drift detected", "Node-D: JUMP DETECTED"). The core of the
 * {@code LOGICAL_CLOCK_JUMP} detector; no Kafka types.
 */
public final class ClockHealth {

    public enum Problem { LAMPORT_BACKWARDS, LAMPORT_JUMP, VECTOR_BACKWARDS, VECTOR_JUMP }

    /** One reading of a node's clocks; {@code lamport} < 0 and an empty vector clock mean absent. */
    public record Reading(long timestamp, String eventId, long lamport, Map<String, Long> vectorClock) {
    }

    /**
     * @param component the vector component, or null for the Lamport clock
     * @param gap       {@code to - from}: negative when it went backwards
     */
    public record Finding(Problem problem, String component, long from, long to, long gap, String eventId) {
    }

    /** A node whose vector clock stands out from its cluster's: its largest deviation from the median. */
    public record Deviation(String node, String component, long value, long median, long deviation) {
    }

    private ClockHealth() {
    }

    /**
     * What is wrong between a node's reading and its next one (in the node's own time order). Only vector
     * components present in both are compared: a component a node stops reporting is not a step backwards.
     */
    public static List<Finding> judge(Reading previous, Reading next, long jumpThreshold) {
        List<Finding> out = new ArrayList<>();
        if (previous.lamport() >= 0 && next.lamport() >= 0) {
            check(out, null, previous.lamport(), next.lamport(), jumpThreshold, next.eventId(),
                    Problem.LAMPORT_BACKWARDS, Problem.LAMPORT_JUMP);
        }
        if (previous.vectorClock() != null && next.vectorClock() != null) {
            for (String c : new TreeSet<>(previous.vectorClock().keySet())) {
                Long to = next.vectorClock().get(c);
                if (to != null) {
                    check(out, c, previous.vectorClock().get(c), to, jumpThreshold, next.eventId(),
                            Problem.VECTOR_BACKWARDS, Problem.VECTOR_JUMP);
                }
            }
        }
        return out;
    }

    private static void check(List<Finding> out, String component, long from, long to, long jumpThreshold,
                              String eventId, Problem backwards, Problem jump) {
        long gap = to - from;
        if (gap < 0) {
            out.add(new Finding(backwards, component, from, to, gap, eventId));
        } else if (gap > jumpThreshold) {
            out.add(new Finding(jump, component, from, to, gap, eventId));
        }
    }

    /**
     * For each node of a cluster (its latest vector clock), its largest deviation from the cluster's median of the
     * same component, over the components at least three other nodes report (a node's own component is not
     * compared); nodes within {@code minDeviation} are left out. Sorted by node.
     */
    public static List<Deviation> deviations(Map<String, Map<String, Long>> latestByNode, long minDeviation) {
        // A node's own component is ahead of everybody's view of it by the events not yet sent: it is left out, of
        // the median and of that node's deviations.
        Map<String, List<Long>> byComponent = new TreeMap<>();
        latestByNode.forEach((node, vc) -> vc.forEach((c, v) -> {
            if (!c.equals(node)) {
                byComponent.computeIfAbsent(c, k -> new ArrayList<>()).add(v);
            }
        }));
        Map<String, Long> medians = new TreeMap<>();
        byComponent.forEach((c, values) -> {
            if (values.size() >= 3) {
                medians.put(c, median(values));
            }
        });
        List<Deviation> out = new ArrayList<>();
        new TreeMap<>(latestByNode).forEach((node, vc) -> {
            Deviation worst = null;
            for (Map.Entry<String, Long> m : medians.entrySet()) {
                Long v = vc.get(m.getKey());
                if (v == null || m.getKey().equals(node)) {
                    continue;
                }
                long d = v - m.getValue();
                if (Math.abs(d) > minDeviation && (worst == null || Math.abs(d) > Math.abs(worst.deviation()))) {
                    worst = new Deviation(node, m.getKey(), v, m.getValue(), d);
                }
            }
            if (worst != null) {
                out.add(worst);
            }
        });
        return out;
    }

    /** The lower median: a value some node really reported. */
    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }
}
