package io.asyncwatch.detect.causality;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Lamport and vector clock comparison, the one place asyncwatch decides how two logical timestamps relate (the
 * business-order judge uses it, and the concurrent-writes detector is to). A component missing from a vector clock
 * is 0: a node that has never heard of another has seen none of its events. No Kafka types.
 */
public final class LogicalClocks {

    /** How event {@code a} relates to event {@code b} by their vector clocks. */
    public enum Order {
        /** The same clock: the same event, or a node that failed to tick. */
        EQUAL,
        /** a happened before b: no component of a is greater, at least one is smaller. */
        BEFORE,
        /** b happened before a. */
        AFTER,
        /** Neither saw the other: some component greater on each side. */
        CONCURRENT
    }

    private LogicalClocks() {
    }

    /** {@code a} against {@code b}; null or empty clocks are all zeros. */
    public static Order compare(Map<String, Long> a, Map<String, Long> b) {
        boolean aLess = false;
        boolean bLess = false;
        Set<String> nodes = new HashSet<>();
        if (a != null) {
            nodes.addAll(a.keySet());
        }
        if (b != null) {
            nodes.addAll(b.keySet());
        }
        for (String n : nodes) {
            long x = component(a, n);
            long y = component(b, n);
            if (x < y) {
                aLess = true;
            } else if (x > y) {
                bLess = true;
            }
            if (aLess && bLess) {
                return Order.CONCURRENT;
            }
        }
        if (aLess) {
            return Order.BEFORE;
        }
        return bLess ? Order.AFTER : Order.EQUAL;
    }

    /** The component of {@code node}, 0 when absent. */
    public static long component(Map<String, Long> clock, String node) {
        if (clock == null) {
            return 0;
        }
        Long v = clock.get(node);
        return v == null ? 0 : v;
    }

    /** Whether an effect's vector clock is strictly after its cause's, as causality demands. */
    public static boolean vectorRespectsCause(Map<String, Long> cause, Map<String, Long> effect) {
        return compare(cause, effect) == Order.BEFORE;
    }

    /** Lamport's clock condition: a cause's clock is strictly smaller than its effect's. */
    public static boolean lamportRespectsCause(long cause, long effect) {
        return cause < effect;
    }

    /** Whether a clock carries anything to compare (absent and empty clocks say nothing). */
    public static boolean present(Map<String, Long> clock) {
        return clock != null && !clock.isEmpty();
    }
}
