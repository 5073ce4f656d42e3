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
}
