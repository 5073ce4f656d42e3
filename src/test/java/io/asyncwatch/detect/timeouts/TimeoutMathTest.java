package io.asyncwatch.detect.timeouts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeoutMathTest {

    @Test
    void theSeedsLadderFormulaAndItsThreeActions() {
        TimeoutMath.Rung fix = TimeoutMath.rung(1000, 1500, 1000, 100, 3);
        assertEquals(4100, fix.recommendedMs(), 1e-9, "2 x 1.5 s + 1 s downstream + 100 ms");
        assertEquals(TimeoutMath.Action.FIX, fix.action(), "1 s configured, 4.1 s needed: creating cascades");
        assertEquals(TimeoutMath.Action.OK, TimeoutMath.rung(3000, 950, 1000, 100, 3).action(), "3.0 s of 3.0 s");
        assertEquals(TimeoutMath.Action.REVIEW, TimeoutMath.rung(8000, 400, 1000, 100, 3).action(),
                "8 s where 1.9 s is recommended: wasting resources");
        assertEquals(TimeoutMath.Action.OK, TimeoutMath.rung(5700, 400, 1000, 100, 3).action(), "exactly 3x is OK");
    }

    @Test
    void gradesFollowTheSeedsGrid() {
        assertEquals(TimeoutMath.Grade.EXCELLENT, TimeoutMath.grade(0.95, 0.7));
        assertEquals(TimeoutMath.Grade.GOOD, TimeoutMath.grade(0.80, 0.7));
        assertEquals(TimeoutMath.Grade.GOOD, TimeoutMath.grade(0.70, 0.7), "0.7 is not below 0.7");
        assertEquals(TimeoutMath.Grade.BAD, TimeoutMath.grade(0.60, 0.7));
        assertEquals(TimeoutMath.Grade.TERRIBLE, TimeoutMath.grade(0.40, 0.7));
    }

    @Test
    void budgetsAreTheSumOfSequentialDownstreamTimeoutsPlusHalf() {
        assertEquals(3000, TimeoutMath.sequential(List.of(1000L, 1000L, 1000L)));
        assertEquals(4500, TimeoutMath.budget(List.of(1000L, 1000L, 1000L)));
        assertEquals(0, TimeoutMath.budget(List.of()));
    }

    @Test
    void whatACalleeNeedsAddsUpDownItsChain() {
        // The seeds' A -> B -> C -> D at 1 s each: A must allow B its 1 s call to C plus C's 1 s call to D.
        java.util.Map<String, java.util.Map<String, Long>> edges = java.util.Map.of(
                "A", java.util.Map.of("B", 1000L), "B", java.util.Map.of("C", 1000L),
                "C", java.util.Map.of("D", 1000L));
        TimeoutMath.Need b = TimeoutMath.configuredNeed("B", s -> edges.getOrDefault(s, java.util.Map.of()));
        assertEquals(2000, b.ms());
        assertEquals(List.of(new TimeoutMath.Hop("C", 1000), new TimeoutMath.Hop("D", 1000)), b.chain());
        assertEquals(1000, TimeoutMath.configuredNeed("C", s -> edges.getOrDefault(s, java.util.Map.of())).ms());
        assertEquals(0, TimeoutMath.configuredNeed("D", s -> edges.getOrDefault(s, java.util.Map.of())).ms());
    }

    @Test
    void aCalleesCallsAreAddedOneAfterAnotherAndTheHeaviestChainIsNamed() {
        java.util.Map<String, java.util.Map<String, Long>> edges = java.util.Map.of(
                "svc", new java.util.TreeMap<>(java.util.Map.of("db", 800L, "pay", 500L)),
                "pay", java.util.Map.of("bank", 700L));
        TimeoutMath.Need need = TimeoutMath.configuredNeed("svc", s -> edges.getOrDefault(s, java.util.Map.of()));
        assertEquals(800 + 500 + 700, need.ms());
        assertEquals(List.of(new TimeoutMath.Hop("pay", 500), new TimeoutMath.Hop("bank", 700)), need.chain(),
                "pay then bank (1.2 s) weighs more than db (800 ms)");
    }

    @Test
    void aCycleOrAVeryDeepChainEnds() {
        java.util.Map<String, java.util.Map<String, Long>> cycle = java.util.Map.of(
                "a", java.util.Map.of("b", 100L), "b", java.util.Map.of("a", 100L));
        assertEquals(200, TimeoutMath.configuredNeed("a", s -> cycle.getOrDefault(s, java.util.Map.of())).ms(),
                "a -> b -> a: the closing call counts once");
        // s0 -> s1 -> ... each at 10 ms, far deeper than the limit.
        TimeoutMath.Need deep = TimeoutMath.configuredNeed("s0", s -> java.util.Map.of(
                "s" + (Integer.parseInt(s.substring(1)) + 1), 10L));
        assertEquals(10L * TimeoutMath.MAX_DEPTH, deep.ms());
    }

    @Test
    void aCycleGivesTheSameNeedWhateverTheServicesAreCalled() {
        // A -> B 1 s, A -> C 1 s, B -> C 1 s, C -> B 5 s; then the same with B and C's names swapped.
        java.util.function.BiFunction<String, String, Long> need = (b, c) -> {
            java.util.Map<String, java.util.Map<String, Long>> edges = java.util.Map.of(
                    "A", new java.util.TreeMap<>(java.util.Map.of(b, 1000L, c, 1000L)),
                    b, java.util.Map.of(c, 1000L), c, java.util.Map.of(b, 5000L));
            return TimeoutMath.configuredNeed("A", s -> edges.getOrDefault(s, java.util.Map.of())).ms();
        };
        assertEquals(need.apply("B", "C"), need.apply("C", "B"));
    }

    @Test
    void aDenseMeshOfCallsEndsQuickly() {
        // Twelve services each calling all the others: bounded by the depth and the visit budget.
        java.util.Map<String, Long> all = new java.util.TreeMap<>();
        for (int i = 0; i < 12; i++) {
            all.put("s" + i, 100L);
        }
        TimeoutMath.Need need = TimeoutMath.configuredNeed("s0", s -> all);
        org.junit.jupiter.api.Assertions.assertTrue(need.ms() > 0 && need.chain().size() <= TimeoutMath.MAX_DEPTH,
                need.toString());
    }
}
