package io.asyncwatch.detect.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Severity;
import org.junit.jupiter.api.Test;

class TailMathTest {

    private static final LatencyTailSettings S = LatencyTailSettings.DEFAULTS;
    /** The usual p99.9 of a calm path: 60 ms. */
    private static final double CALM = 60;

    @Test
    void contractThresholdsTenAndAHundredTimesTheMedian() {
        assertEquals(Severity.ALERT, TailMath.judge(500, 20, 200, CALM, 12, S).severity());
        assertEquals(Severity.PAGE, TailMath.judge(500, 20, 2000, CALM, 12, S).severity());
        assertEquals(100.0, TailMath.judge(500, 20, 2000, CALM, 12, S).threshold());
        assertNull(TailMath.judge(500, 20, 199, CALM, 12, S).severity(), "9.95x is below 10x");
        assertEquals(TailMath.Verdict.NORMAL, TailMath.judge(500, 20, 199, CALM, 12, S).verdict());
    }

    @Test
    void aPathWhoseCallsOftenEndAtTheTimeoutDoesNotAlertOnOneMoreSuchWindow() {
        TailMath.Judgement usual = TailMath.judge(500, 20, 1000, 1000, 30, S);
        assertEquals(TailMath.Verdict.USUAL_TAIL, usual.verdict(), "50x, but 1 s is its usual p99.9");
        assertNull(usual.severity());
        TailMath.Judgement worse = TailMath.judge(500, 20, 4000, 1000, 30, S);
        assertEquals(Severity.PAGE, worse.severity(), "200x and 4x beyond its usual extreme");
        assertEquals(1000.0, worse.usualP999());
        assertNull(TailMath.judge(500, 20, 1500, 1000, 30, S).severity(), "1.5x its usual p99.9 is not beyond it");
    }

    @Test
    void noJudgementOnTooFewCallsOrWithoutABaseline() {
        assertEquals(TailMath.Verdict.TOO_FEW_CALLS, TailMath.judge(49, 20, 5000, CALM, 12, S).verdict());
        TailMath.Judgement young = TailMath.judge(500, 20, 5000, CALM, 9, S);
        assertEquals(TailMath.Verdict.NO_BASELINE, young.verdict());
        assertNull(young.severity());
    }

    @Test
    void aZeroMedianStaysFinite() {
        assertTrue(Double.isFinite(TailMath.ratio(0, 50)));
        assertEquals(50.0 / TailMath.MEDIAN_FLOOR_MS, TailMath.ratio(0, 50));
    }
}
