package io.asyncwatch.detect.causality;

import static io.asyncwatch.detect.causality.LogicalClocks.Order.AFTER;
import static io.asyncwatch.detect.causality.LogicalClocks.Order.BEFORE;
import static io.asyncwatch.detect.causality.LogicalClocks.Order.CONCURRENT;
import static io.asyncwatch.detect.causality.LogicalClocks.Order.EQUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.causality.LogicalClocks.Order;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vector and Lamport clock relations, case by case and exhaustively over small clocks. */
class LogicalClocksTest {

    private static Map<String, Long> vc(Object... kv) {
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void theSeedsExample() {
        // Node A writes X=5 at [2,0,0]; node B, having seen it, writes X=7 at [2,1,0]; C at [2,1,1] sees both.
        assertEquals(BEFORE, LogicalClocks.compare(vc("A", 2), vc("A", 2, "B", 1)));
        assertEquals(AFTER, LogicalClocks.compare(vc("A", 2, "B", 1, "C", 1), vc("A", 2, "B", 1)));
        // Two writes that did not see each other are concurrent.
        assertEquals(CONCURRENT, LogicalClocks.compare(vc("A", 3), vc("A", 2, "B", 1)));
    }

    @Test
    void equalClocksAndTheEmptyClock() {
        assertEquals(EQUAL, LogicalClocks.compare(vc("A", 1, "B", 2), vc("B", 2, "A", 1)));
        assertEquals(EQUAL, LogicalClocks.compare(vc(), vc()));
        assertEquals(EQUAL, LogicalClocks.compare(null, vc()));
        assertEquals(BEFORE, LogicalClocks.compare(vc(), vc("A", 1)), "the empty clock is before any event");
        assertEquals(AFTER, LogicalClocks.compare(vc("A", 1), null));
    }

    @Test
    void aMissingComponentIsZero() {
        assertEquals(EQUAL, LogicalClocks.compare(vc("A", 1, "B", 0), vc("A", 1)));
        assertEquals(BEFORE, LogicalClocks.compare(vc("A", 1), vc("A", 1, "C", 4)));
        assertEquals(CONCURRENT, LogicalClocks.compare(vc("A", 2), vc("B", 1)));
        assertEquals(0, LogicalClocks.component(vc("A", 1), "Z"));
        assertEquals(0, LogicalClocks.component(null, "A"));
    }

    @Test
    void lamportAndVectorCauseConditions() {
        assertTrue(LogicalClocks.lamportRespectsCause(4, 5));
        assertFalse(LogicalClocks.lamportRespectsCause(5, 5), "an effect's Lamport clock must be greater");
        assertFalse(LogicalClocks.lamportRespectsCause(6, 5));
        assertTrue(LogicalClocks.vectorRespectsCause(vc("A", 1), vc("A", 1, "B", 1)));
        assertFalse(LogicalClocks.vectorRespectsCause(vc("A", 1), vc("A", 1)), "equal is not after");
        assertFalse(LogicalClocks.vectorRespectsCause(vc("A", 2), vc("A", 1, "B", 5)), "concurrent is not after");
        assertFalse(LogicalClocks.present(null));
        assertFalse(LogicalClocks.present(vc()));
        assertTrue(LogicalClocks.present(vc("A", 0)));
    }

    /** Every pair of clocks over three nodes with components 0..2, some components absent: against the definition. */
    @Test
    void exhaustivelyAgainstTheDefinition() {
        List<Map<String, Long>> clocks = new ArrayList<>();
        String[] nodes = {"A", "B", "C"};
        // 4 states per component: absent, 0, 1, 2
        for (int code = 0; code < 64; code++) {
            Map<String, Long> m = new HashMap<>();
            int c = code;
            for (String n : nodes) {
                int s = c % 4;
                c /= 4;
                if (s > 0) {
                    m.put(n, (long) (s - 1));
                }
            }
            clocks.add(m);
        }
        int checked = 0;
        for (Map<String, Long> a : clocks) {
            for (Map<String, Long> b : clocks) {
                boolean le = true;
                boolean ge = true;
                for (String n : nodes) {
                    long x = a.getOrDefault(n, 0L);
                    long y = b.getOrDefault(n, 0L);
                    le &= x <= y;
                    ge &= x >= y;
                }
                Order expected = le && ge ? EQUAL : le ? BEFORE : ge ? AFTER : CONCURRENT;
                assertEquals(expected, LogicalClocks.compare(a, b), a + " vs " + b);
                Order reverse = LogicalClocks.compare(b, a);
                assertEquals(expected == BEFORE ? AFTER : expected == AFTER ? BEFORE : expected, reverse);
                checked++;
            }
        }
        assertEquals(64 * 64, checked);
    }
}
