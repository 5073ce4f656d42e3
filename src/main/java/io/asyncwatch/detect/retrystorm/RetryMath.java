package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.model.Severity;

/**
 * Multiplier arithmetic and the chance test of the retry-storm detector. Pure functions, no Kafka.
 *
 * <p>Why a significance test: at a 2 % baseline and ~300 attempts a minute a window expects 6 retries, and 12
 * (a 2x multiplier) happen by luck in about 2 % of windows, i.e. every few minutes across a handful of services.
 * A window therefore alerts only if its retry count is also improbable under the baseline share
 * (one-sided binomial test, {@link RetryStormSettings#maxPValue()}). At high volume the test is no obstacle and
 * 2x alerts at once; at low volume a larger multiplier is needed, which is what an operator wants.
 */
public final class RetryMath {

    private RetryMath() {
    }

    public static Judgement judge(long attempts, long retries, long baselineAttempts, long baselineRetries,
                                  RetryStormSettings s) {
        double share = attempts == 0 ? 0 : (double) retries / attempts;
        double baseline = baselineAttempts == 0 ? 0 : (double) baselineRetries / baselineAttempts;
        double effective = Math.max(baseline, s.baselineFloor());
        double multiplier = share / effective;
        double p = binomialUpperTail(retries, attempts, effective);
        Verdict verdict;
        if (attempts < s.minWindowAttempts()) {
            verdict = Verdict.LOW_VOLUME;
        } else if (baselineAttempts < s.minBaselineAttempts()) {
            verdict = Verdict.NO_BASELINE;
        } else if (multiplier < s.warnMultiplier()) {
            verdict = Verdict.NORMAL;
        } else if (p > s.maxPValue()) {
            verdict = Verdict.NOT_SIGNIFICANT;
        } else {
            verdict = Verdict.STORM;
        }
        Severity severity = null;
        double threshold = s.warnMultiplier();
        if (verdict == Verdict.STORM) {
            severity = multiplier >= s.pageMultiplier() ? Severity.PAGE : Severity.WARN;
            threshold = severity == Severity.PAGE ? s.pageMultiplier() : s.warnMultiplier();
        }
        return new Judgement(share, baseline, effective, multiplier, p, verdict, severity, threshold);
    }

    /** P(X >= k) for X ~ Binomial(n, p), accurate in the far tail where it matters. */
    public static double binomialUpperTail(long k, long n, double p) {
        if (k <= 0) {
            return 1.0;
        }
        if (k > n) {
            return 0.0;
        }
        if (p <= 0) {
            return 0.0;
        }
        if (p >= 1) {
            return 1.0;
        }
        double mean = n * p;
        if (k > mean) {
            return sumFrom(k, n, p, true);
        }
        // Below the mean the upper tail is large; its complement is the quickly converging sum.
        return Math.max(0.0, 1.0 - sumFrom(k - 1, n, p, false));
    }

    /** Sums pmf from {@code start} upward (or downward) while terms still matter; terms shrink monotonically. */
    private static double sumFrom(long start, long n, double p, boolean upward) {
        double logTerm = logPmf(start, n, p);
        double term = Math.exp(logTerm);
        double sum = term;
        double ratio = p / (1 - p);
        long i = start;
        while (true) {
            if (upward) {
                if (i >= n) break;
                term *= (double) (n - i) / (i + 1) * ratio;
                i++;
            } else {
                if (i <= 0) break;
                term *= (double) i / (n - i + 1) / ratio;
                i--;
            }
            sum += term;
            if (term <= sum * 1e-17 || term == 0) {
                break;
            }
        }
        // Underflow of the first term: report the log-space estimate instead of a false zero.
        return sum == 0 && logTerm > -745 ? Double.MIN_VALUE : Math.min(1.0, sum);
    }

    static double logPmf(long k, long n, double p) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
    }

    static double logFactorial(long n) {
        return logGamma(n + 1.0);
    }

    /** Lanczos approximation (g = 7, n = 9), relative error ~1e-15 for x > 0. */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double a = LANCZOS[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += LANCZOS[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }

    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7
    };
}
