package io.asyncwatch.detect.logicalclock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.detect.logicalclock.ClockHealth.Deviation;
import io.asyncwatch.detect.logicalclock.ClockHealth.Finding;
import io.asyncwatch.detect.logicalclock.ClockHealth.Problem;
import io.asyncwatch.detect.logicalclock.ClockHealth.Reading;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consecutive readings of one node, and one node against its cluster, with the seeds' numbers. */
class ClockHealthTest {

    private static Reading lamport(long l) {
        return new Reading(0, "e-" + l, l, Map.of());
    }

    private static Reading vc(Map<String, Long> clock) {
        return new Reading(0, "e", -1, clock);
    }

    @Test
    void lamportSteadyBackwardsAndJumps() {
        assertEquals(List.of(), ClockHealth.judge(lamport(5), lamport(6), 1000));
        assertEquals(List.of(), ClockHealth.judge(lamport(5), lamport(5), 1000), "no event in between: not a fault");
        assertEquals(List.of(), ClockHealth.judge(lamport(5), lamport(1005), 1000), "exactly the threshold");
        assertEquals(List.of(new Finding(Problem.LAMPORT_BACKWARDS, null, 50, 12, -38, "e-12")),
                ClockHealth.judge(lamport(50), lamport(12), 1000));
        assertEquals(List.of(new Finding(Problem.LAMPORT_JUMP, null, 5, 1006, 1001, "e-1006")),
                ClockHealth.judge(lamport(5), lamport(1006), 1000));
        assertEquals(List.of(), ClockHealth.judge(lamport(-1), lamport(7), 1000), "absent: nothing to compare");
    }

    @Test
    void vectorComponentsPresentInBothAreCompared() {
        // The seeds' Node-D: [1002, 2003, 3004] then [1002, 2003, 8745]: a jump of 5741 in its own component.
        List<Finding> jump = ClockHealth.judge(vc(Map.of("A", 1002L, "B", 2003L, "D", 3004L)),
                vc(Map.of("A", 1002L, "B", 2003L, "D", 8745L)), 1000);
        assertEquals(List.of(new Finding(Problem.VECTOR_JUMP, "D", 3004, 8745, 5741, "e")), jump);
        List<Finding> back = ClockHealth.judge(vc(Map.of("A", 9L, "B", 4L)), vc(Map.of("A", 7L, "B", 5L)), 1000);
        assertEquals(List.of(new Finding(Problem.VECTOR_BACKWARDS, "A", 9, 7, -2, "e")), back);
        assertEquals(List.of(), ClockHealth.judge(vc(Map.of("A", 9L, "B", 4L)), vc(Map.of("A", 10L)), 1000),
                "a component no longer reported is not a step backwards");
        assertEquals(List.of(), ClockHealth.judge(vc(Map.of("A", 9L)), vc(Map.of("A", 10L, "C", 4000L)), 1000),
                "a component seen for the first time is not a jump");
    }

    @Test
    void aNodeStandsOutFromItsCluster() {
        // The seeds' panel: A, B healthy; C drifting (1987 against ~2000); D jumped (8745 against ~3002).
        Map<String, Map<String, Long>> latest = Map.of(
                "Node-A", Map.of("x", 1000L, "y", 2001L, "z", 3002L),
                "Node-B", Map.of("x", 1001L, "y", 2000L, "z", 3001L),
                "Node-C", Map.of("x", 999L, "y", 1987L, "z", 3003L),
                "Node-D", Map.of("x", 1002L, "y", 2003L, "z", 8745L));
        List<Deviation> out = ClockHealth.deviations(latest, 10);
        assertEquals(List.of(new Deviation("Node-C", "y", 1987, 2000, -13),
                new Deviation("Node-D", "z", 8745, 3002, 5743)), out);
        assertEquals(List.of(), ClockHealth.deviations(Map.of("a", Map.of("x", 1L), "b", Map.of("x", 900L)), 10),
                "two nodes have no majority to stand out from");
    }

    @Test
    void theMedianIsAReportedValue() {
        assertEquals(2L, ClockHealth.median(List.of(3L, 1L, 2L)));
        assertEquals(2L, ClockHealth.median(List.of(4L, 1L, 2L, 3L)));
    }
}
