package io.asyncwatch.detect.concurrentwrites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.concurrentwrites.WriteFrontier.Basis;
import io.asyncwatch.detect.concurrentwrites.WriteFrontier.Write;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteFrontierTest {

    private static final long HORIZON = 60_000;
    private static final long GRACE = 30_000;
    private static final long NONE = Long.MIN_VALUE;

    private static Write w(String id, String node, long ts, Map<String, Long> vc) {
        return new Write(id, node, "r-" + id, ts, ts, vc);
    }

    private static Set<String> pairs(List<WriteFrontier.Conflict> conflicts) {
        Set<String> out = new HashSet<>();
        for (WriteFrontier.Conflict c : conflicts) {
            String a = c.earlier().eventId();
            String b = c.later().eventId();
            out.add(a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
        }
        return out;
    }

    @Test
    void concurrentVectorClocksFromDifferentNodesConflict() {
        // The seeds: A [2,0,0] writes X=5, B [1,1,0] writes X=7 without having seen it.
        Write a = w("a", "A", 1_000, Map.of("A", 2L));
        Write b = w("b", "B", 1_000, Map.of("A", 1L, "B", 1L));
        assertEquals(Basis.VECTOR, WriteFrontier.judge(a, b, HORIZON, true));
        assertEquals(Basis.VECTOR, WriteFrontier.judge(b, a, HORIZON, true));
    }

    @Test
    void orderedClocksNeverConflictWhateverTheWallClocksSay() {
        // B saw A's write ([2,1,0] after [2,0,0]) but B's wall clock is 40 s behind.
        Write a = w("a", "A", 100_000, Map.of("A", 2L));
        Write b = w("b", "B", 60_000, Map.of("A", 2L, "B", 1L));
        assertNull(WriteFrontier.judge(a, b, HORIZON, true));
        assertNull(WriteFrontier.judge(b, a, HORIZON, true));
        Write c = w("c", "C", 100_500, Map.of("A", 2L));
        assertNull(WriteFrontier.judge(a, c, HORIZON, true), "equal clocks: the same knowledge, not concurrent");
    }

    @Test
    void missingComponentsAreZeros() {
        Write a = w("a", "A", 0, Map.of("A", 1L));
        Write b = w("b", "B", 0, Map.of("B", 1L));
        assertEquals(Basis.VECTOR, WriteFrontier.judge(a, b, HORIZON, true), "{A:1} and {B:1}: neither saw the other");
        Write c = w("c", "C", 0, Map.of("A", 1L, "C", 1L));
        assertNull(WriteFrontier.judge(a, c, HORIZON, true), "{A:1} before {A:1, C:1}");
    }

    @Test
    void sameNodeSameIntentAndOutOfReachAreNotConflicts() {
        Map<String, Long> x = Map.of("A", 1L);
        Map<String, Long> y = Map.of("B", 1L);
        assertNull(WriteFrontier.judge(w("a", "N", 0, x), w("b", "N", 0, y), HORIZON, true), "one node");
        assertNull(WriteFrontier.judge(new Write("a", "svc-1", "r-1", 0, 0, Map.of()),
                new Write("b", "db-1", "r-1", 1, 1, Map.of()), HORIZON, true), "one intent at two layers");
        assertNull(WriteFrontier.judge(w("a", "A", 0, x), w("b", "B", HORIZON + 1, y), HORIZON, true));
        assertEquals(Basis.VECTOR, WriteFrontier.judge(w("a", "A", 0, x), w("b", "B", HORIZON, y), HORIZON, true));
    }

    @Test
    void withoutVectorClocksDifferentNodesWithinASecondArePossibleConflicts() {
        Write a = w("a", "A", 10_000, Map.of());
        assertEquals(Basis.SAME_SECOND, WriteFrontier.judge(a, w("b", "B", 10_999, Map.of()), HORIZON, true));
        assertEquals(Basis.SAME_SECOND, WriteFrontier.judge(a, w("b", "B", 9_200, Map.of("B", 1L)), HORIZON, true),
                "one side without a clock: nothing orders them");
        assertNull(WriteFrontier.judge(a, w("b", "B", 11_000, Map.of()), HORIZON, true), "a second apart");
        assertNull(WriteFrontier.judge(a, w("b", "B", 10_001, Map.of()), HORIZON, false), "fallback off");
    }

    @Test
    void aThreeWayConflictIsEveryPairOnce() {
        WriteFrontier f = new WriteFrontier();
        List<WriteFrontier.Conflict> all = new ArrayList<>();
        all.addAll(f.add(w("a", "A", 0, Map.of("A", 1L)), NONE, HORIZON, GRACE, true, 64).conflicts());
        all.addAll(f.add(w("b", "B", 10, Map.of("B", 1L)), NONE, HORIZON, GRACE, true, 64).conflicts());
        all.addAll(f.add(w("c", "C", 20, Map.of("C", 1L)), NONE, HORIZON, GRACE, true, 64).conflicts());
        assertEquals(Set.of("a|b", "a|c", "b|c"), pairs(all));
        assertEquals(3, all.size());
        assertTrue(f.add(w("b", "B", 10, Map.of("B", 1L)), NONE, HORIZON, GRACE, true, 64).duplicate(),
                "a redelivered write is not judged again");
    }

    @Test
    void aWriteLeavesWhenOutOfReachOfAnyWriteThatIsNotLate() {
        WriteFrontier f = new WriteFrontier();
        f.add(w("a", "A", 0, Map.of("A", 1L)), NONE, HORIZON, GRACE, true, 64);
        f.add(w("b", "B", 0, Map.of()), NONE, HORIZON, GRACE, true, 64);
        f.trim(1_000 + GRACE, HORIZON, GRACE);
        assertEquals(2, f.writes().size(), "a write at exactly now - grace is not late and may be a second later");
        f.trim(1_000 + GRACE + 1, HORIZON, GRACE);
        assertEquals(List.of("a"), f.writes().stream().map(Write::eventId).toList(),
                "without a vector clock a write is compared within a second only");
        f.trim(HORIZON + GRACE, HORIZON, GRACE);
        assertEquals(1, f.writes().size());
        f.trim(HORIZON + GRACE + 1, HORIZON, GRACE);
        assertTrue(f.isEmpty());
    }

    @Test
    void aSupersededWriteStaysWithinReachForALateWriteConcurrentWithIt() {
        WriteFrontier f = new WriteFrontier();
        f.add(w("a", "A", 0, Map.of("A", 1L)), NONE, HORIZON, GRACE, true, 64);
        f.add(w("b", "B", 100, Map.of("A", 1L, "B", 1L)), NONE, HORIZON, GRACE, true, 64);
        // c was written before b saw anything of C's, concurrently with a; it arrives late, within the grace.
        var added = f.add(new Write("c", "C", "r-c", 40_000, 40_000, Map.of("C", 1L)), 60_000, HORIZON, GRACE, true,
                64);
        assertEquals(Set.of("a|c", "b|c"), pairs(added.conflicts()));
        assertEquals(3, f.writes().size());
    }

    @Test
    void whenFullTheOldestSupersededWriteGoesFirstThenTheOldest() {
        WriteFrontier f = new WriteFrontier();
        f.add(w("a", "A", 0, Map.of("A", 1L)), NONE, HORIZON, GRACE, true, 3);
        f.add(w("x", "X", 5, Map.of("X", 1L)), NONE, HORIZON, GRACE, true, 3);
        f.add(w("b", "A", 10, Map.of("A", 2L)), NONE, HORIZON, GRACE, true, 3);
        var added = f.add(w("c", "A", 20, Map.of("A", 3L)), NONE, HORIZON, GRACE, true, 3);
        assertEquals(1, added.evictedForRoom());
        assertEquals(List.of("x", "b", "c"), f.writes().stream().map(Write::eventId).toList(),
                "a (superseded by b and c) went, not x (the oldest, superseded by nobody)");
        f.add(w("d", "D", 30, Map.of("D", 1L)), NONE, HORIZON, GRACE, true, 3);
        assertEquals(List.of("x", "c", "d"), f.writes().stream().map(Write::eventId).toList());
        f.add(w("e", "E", 40, Map.of("E", 1L)), NONE, HORIZON, GRACE, true, 3);
        assertEquals(List.of("c", "d", "e"), f.writes().stream().map(Write::eventId).toList(),
                "none superseded: the oldest went");
    }

    @Test
    void anyArrivalOrderWithinTheGraceGivesTheSameConflicts() {
        // Three nodes exchanging writes to one entity over a minute: more than the grace apart, within the horizon.
        Random random = new Random(7);
        List<Write> log = new ArrayList<>();
        long[][] clocks = new long[3][3];
        String[] nodes = {"A", "B", "C"};
        for (int i = 0; i < 24; i++) {
            int n = random.nextInt(3);
            if (random.nextBoolean()) {
                int from = random.nextInt(3); // n hears of from's latest write
                for (int k = 0; k < 3; k++) {
                    clocks[n][k] = Math.max(clocks[n][k], clocks[from][k]);
                }
            }
            clocks[n][n]++;
            Map<String, Long> vc = Map.of("A", clocks[n][0], "B", clocks[n][1], "C", clocks[n][2]);
            log.add(new Write("w" + i, nodes[n], "r" + i, 2_500L * i, 2_500L * i, vc));
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < log.size(); i++) {
            for (int j = i + 1; j < log.size(); j++) {
                if (WriteFrontier.judge(log.get(i), log.get(j), HORIZON, true) != null) {
                    expected.add(log.get(i).eventId() + "|" + log.get(j).eventId());
                }
            }
        }
        assertTrue(expected.size() > 5, "the generated log has conflicts: " + expected);
        for (int round = 0; round < 20; round++) {
            List<Write> shuffled = new ArrayList<>(log);
            java.util.Collections.shuffle(shuffled, random);
            WriteFrontier f = new WriteFrontier();
            Set<String> found = new HashSet<>();
            for (int i = 0; i < shuffled.size(); i++) {
                // The stage's clock as far ahead as it can be with none of the writes still to come late.
                long now = shuffled.subList(i, shuffled.size()).stream().mapToLong(Write::time).min().orElseThrow()
                        + GRACE - 1;
                found.addAll(pairs(f.add(shuffled.get(i), now, HORIZON, GRACE, true, 64).conflicts()));
            }
            Set<String> normalised = new HashSet<>();
            for (String p : found) {
                String[] ab = p.split("\\|");
                int a = Integer.parseInt(ab[0].substring(1));
                int b = Integer.parseInt(ab[1].substring(1));
                normalised.add("w" + Math.min(a, b) + "|w" + Math.max(a, b));
            }
            assertEquals(expected, normalised, "round " + round);
        }
    }

    @Test
    void resolutionsByEntityType() {
        Resolutions r = Resolutions.parse("Counter=crdt; Session=LWW ,*=manual");
        assertEquals(Resolutions.Hint.CRDT, r.of("Counter[7]"));
        assertEquals(Resolutions.Hint.LWW, r.of("Session[abc]"));
        assertEquals(Resolutions.Hint.MANUAL, r.of("Order[1337]"));
        assertEquals(Resolutions.Hint.LWW, Resolutions.parse("*=lww").of("User[42]"));
        assertEquals(Resolutions.Hint.MANUAL, Resolutions.parse("").of("User[42]"), "manual unless told otherwise");
        assertEquals("Order", Resolutions.type("Order[1337]"));
        assertEquals("plain", Resolutions.type("plain"));
        assertThrows(IllegalArgumentException.class, () -> Resolutions.parse("Order=maybe"));
        assertThrows(IllegalArgumentException.class, () -> Resolutions.parse("Order"));
        assertThrows(IllegalArgumentException.class, () -> Resolutions.parse("Order=lww;Order=crdt"));
    }
}
