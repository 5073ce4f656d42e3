package io.asyncwatch.detect.retrystorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Severity;
import org.junit.jupiter.api.Test;

class RetryMathTest {

    private static final RetryStormSettings S = RetryStormSettings.DEFAULTS;

    @Test
    void multiplierIsWindowShareOverBaselineShare() {
        // 60 of 300 = 20 % against 2 % over the hour: 10x.
        Judgement j = RetryMath.judge(300, 60, 18_000, 360, S);
        assertEquals(0.20, j.retryShare(), 1e-12);
        assertEquals(0.02, j.baselineShare(), 1e-12);
        assertEquals(10.0, j.multiplier(), 1e-9);
        assertEquals(Verdict.STORM, j.verdict());
        assertEquals(Severity.PAGE, j.severity());
        assertEquals(5.0, j.threshold());
    }

    @Test
    void warnBetweenTwoAndFiveTimesWhenSignificant() {
        // High volume makes 3x unmistakable: 3000 attempts, 6 % vs 2 %.
        Judgement j = RetryMath.judge(3_000, 180, 180_000, 3_600, S);
        assertEquals(3.0, j.multiplier(), 1e-9);
        assertEquals(Severity.WARN, j.severity());
        assertEquals(2.0, j.threshold());
    }

    @Test
    void exactlyAtThresholdsCounts() {
        assertEquals(Severity.WARN, RetryMath.judge(10_000, 400, 100_000, 2_000, S).severity()); // 2.0x
        assertEquals(Severity.PAGE, RetryMath.judge(10_000, 1_000, 100_000, 2_000, S).severity()); // 5.0x
    }

    @Test
    void zeroBaselineUsesTheFloorInsteadOfDividingByZero() {
        Judgement j = RetryMath.judge(1_000, 15, 60_000, 0, S);
        assertEquals(0.0, j.baselineShare());
        assertEquals(S.baselineFloor(), j.effectiveBaseline());
        assertEquals(1.5, j.multiplier(), 1e-9);
        assertNull(j.severity(), "1.5 % retries on a service that never retried is below 2x the 1 % floor");
        assertTrue(Double.isFinite(j.multiplier()));
    }

    @Test
    void tinyBaselineIsFlooredSoAFewRetriesDoNotPage() {
        // Baseline 0.1 %: 5 retries in 500 (1 %) would be 10x the raw baseline, but only 1x the floor.
        Judgement j = RetryMath.judge(500, 5, 60_000, 60, S);
        assertEquals(1.0, j.multiplier(), 1e-9);
        assertEquals(Verdict.NORMAL, j.verdict());
    }

    @Test
    void lowVolumeIsNeverJudged() {
        // A quiet service: 1 retry in 3 attempts is 33 %, 16x a 2 % baseline, and still no alert.
        Judgement j = RetryMath.judge(3, 1, 18_000, 360, S);
        assertTrue(j.multiplier() > 10);
        assertEquals(Verdict.LOW_VOLUME, j.verdict());
        assertNull(j.severity());
    }

    @Test
    void noBaselineYetIsNotJudged() {
        Judgement j = RetryMath.judge(300, 150, 100, 2, S);
        assertEquals(Verdict.NO_BASELINE, j.verdict());
        assertNull(j.severity());
    }

    @Test
    void chanceFluctuationAtTwoTimesIsNotSignificant() {
        // 2 % baseline, 300 attempts: 12 retries (2x) happen by luck about 2 % of the time.
        Judgement j = RetryMath.judge(300, 12, 18_000, 360, S);
        assertEquals(2.0, j.multiplier(), 1e-9);
        assertEquals(Verdict.NOT_SIGNIFICANT, j.verdict());
        assertNull(j.severity());
        assertTrue(j.pValue() > 0.01 && j.pValue() < 0.05, "p = " + j.pValue());
    }

    @Test
    void binomialTailMatchesExactSums() {
        // P(X >= 12 | n=300, p=0.02), summed term by term with BigDecimal-free plain doubles as a reference.
        assertEquals(reference(12, 300, 0.02), RetryMath.binomialUpperTail(12, 300, 0.02), 1e-12);
        assertEquals(reference(3, 10, 0.5), RetryMath.binomialUpperTail(3, 10, 0.5), 1e-12);
        assertEquals(reference(1, 300, 0.02), RetryMath.binomialUpperTail(1, 300, 0.02), 1e-12);
        assertEquals(1.0, RetryMath.binomialUpperTail(0, 300, 0.02));
        assertEquals(0.0, RetryMath.binomialUpperTail(301, 300, 0.02));
        double farTail = RetryMath.binomialUpperTail(90, 300, 0.02);
        assertTrue(farTail > 0 && farTail < 1e-40, "far tail " + farTail);
    }

    @Test
    void binomialTailIsMonotoneInK() {
        double previous = 1.0;
        for (int k = 0; k <= 60; k++) {
            double p = RetryMath.binomialUpperTail(k, 300, 0.02);
            assertTrue(p <= previous + 1e-15, "tail must not grow with k (k=" + k + ")");
            previous = p;
        }
    }

    private static double reference(int k, int n, double p) {
        double sum = 0;
        for (int i = k; i <= n; i++) {
            double logC = RetryMath.logFactorial(n) - RetryMath.logFactorial(i) - RetryMath.logFactorial(n - i);
            sum += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log(1 - p));
        }
        return sum;
    }

    @Test
    void logGammaMatchesFactorials() {
        assertEquals(Math.log(120), RetryMath.logGamma(6), 1e-12);
        assertEquals(Math.log(3_628_800), RetryMath.logFactorial(10), 1e-11);
        assertEquals(0.5 * Math.log(Math.PI), RetryMath.logGamma(0.5), 1e-12);
    }
}
