package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.causality.BusinessOrder.Kind;
import io.asyncwatch.detect.causality.BusinessOrder.Method;
import io.asyncwatch.detect.causality.BusinessOrder.Op;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BusinessOrderTest {

    private static final BusinessOrder RULES = BusinessOrder.parse("create > update > delete; Order>PAY");

    private static Op op(String operation, long ts) {
        return new Op(operation, operation + "-id", "n", ts, -1, Map.of());
    }

    private static Op op(String operation, long ts, long lamport, Map<String, Long> vc) {
        return new Op(operation, operation + "-id", "n", ts, lamport, vc);
    }

    @Test
    void parsesSequencesAndRejectsNonsense() {
        assertTrue(RULES.concerns("pay") && RULES.concerns(" UPDATE ") && !RULES.concerns("read"));
        assertTrue(BusinessOrder.parse("").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> BusinessOrder.parse("create"));
        assertThrows(IllegalArgumentException.class, () -> BusinessOrder.parse("a>>b"));
        assertThrows(IllegalArgumentException.class, () -> BusinessOrder.parse("a>b>a"));
    }

    @Test
    void byTimestampsWithoutClocksInEitherArgumentOrder() {
        Op order = op("order", 1_000);
        Op pay = op("pay", 400);
        for (Optional<BusinessOrder.Violation> v : new Optional[] {RULES.judge(order, pay, 0), RULES.judge(pay, order, 0)}) {
            assertEquals(Kind.REVERSED, v.orElseThrow().kind());
            assertEquals(Method.TIMESTAMPS, v.orElseThrow().method());
            assertEquals("order>pay", v.orElseThrow().rule());
            assertEquals(600, v.orElseThrow().gapMs());
        }
        assertFalse(RULES.judge(op("order", 1_000), op("pay", 1_200), 0).isPresent());
        assertFalse(RULES.judge(order, pay, 600).isPresent(), "within the tolerance");
        assertFalse(RULES.judge(op("order", 1_000), op("update", 0), 0).isPresent(), "no sequence orders them");
    }

    @Test
    void somethingDoneToAnEntityBeforeItWasCreatedIsImpossible() {
        assertEquals(Kind.IMPOSSIBLE, RULES.judge(op("delete", 100), op("create", 900), 0).orElseThrow().kind());
        assertEquals(Kind.REVERSED, RULES.judge(op("delete", 100), op("update", 900), 0).orElseThrow().kind());
    }

    @Test
    void clocksWinOverTimestampsWhereBothCarryThem() {
        // pay is stamped 5 s before order by a lagging wall clock, but its vector clock follows order's: in order.
        Op order = op("order", 10_000, -1, Map.of("a", 3L));
        Op pay = op("pay", 5_000, -1, Map.of("a", 3L, "b", 1L));
        assertFalse(RULES.judge(order, pay, 0).isPresent());
        // Stamped in order, but pay's vector clock is before order's.
        BusinessOrder.Violation v = RULES.judge(op("order", 1_000, -1, Map.of("a", 5L)),
                op("pay", 2_000, -1, Map.of("a", 4L)), 0).orElseThrow();
        assertEquals(Kind.REVERSED, v.kind());
        assertEquals(Method.VECTOR_CLOCKS, v.method());
        assertEquals(Kind.UNORDERED, RULES.judge(op("order", 1_000, -1, Map.of("a", 1L)),
                op("pay", 2_000, -1, Map.of("b", 1L)), 0).orElseThrow().kind());
        // Lamport clocks when there are no vector clocks on both.
        assertEquals(Method.LAMPORT_CLOCKS, RULES.judge(op("order", 1_000, 9, Map.of("a", 1L)),
                op("pay", 2_000, 9, Map.of()), 0).orElseThrow().method());
        assertFalse(RULES.judge(op("order", 9_000, 9, Map.of()), op("pay", 2_000, 10, Map.of()), 0).isPresent());
    }
}
