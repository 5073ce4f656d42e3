package io.asyncwatch.detect.latency;

import io.asyncwatch.model.Severity;

/** How heavy a window's tail is, judged against the path's own usual tail. No Kafka types. */
public final class TailMath {

    /** A median below this (sub-microsecond, or zero) is taken as this, so the ratio stays finite. */
    static final double MEDIAN_FLOOR_MS = 0.001;

    public enum Verdict { TOO_FEW_CALLS, NO_BASELINE, USUAL_TAIL, NORMAL, TAIL }

    /**
     * @param ratio      p99 / p50 of the window
     * @param usualP999  p99.9 of the path's baseline span as a whole (NaN without one): its usual extreme
     * @param severity   null unless the verdict is TAIL
     * @param threshold  the ratio crossed (or the alert ratio when none was)
     */
    public record Judgement(Verdict verdict, double ratio, double usualP999, Severity severity, double threshold) {
    }

    private TailMath() {
    }

    public static double ratio(double p50, double p99) {
        return p99 / Math.max(p50, MEDIAN_FLOOR_MS);
    }

    /**
     * TAIL when p99 is at least {@code alert-ratio} times the median and also beyond what the path usually does
     * at its extreme: above {@code baseline-factor} times its usual p99.9. A path whose calls often end at their
     * timeout has the timeout as its usual p99.9, so one more window like that is not news; a calm path whose p99
     * jumps to the timeout is.
     *
     * @param usualP999       p99.9 of the path's trailing baseline span (NaN without one)
     * @param baselineWindows windows in that span
     */
    public static Judgement judge(long calls, double p50, double p99, double usualP999, int baselineWindows,
                                  LatencyTailSettings s) {
        double ratio = ratio(p50, p99);
        if (calls < s.minCalls()) {
            return new Judgement(Verdict.TOO_FEW_CALLS, ratio, usualP999, null, s.alertRatio());
        }
        if (baselineWindows < s.minBaselineWindows()) {
            return new Judgement(Verdict.NO_BASELINE, ratio, usualP999, null, s.alertRatio());
        }
        Severity severity = ratio >= s.pageRatio() ? Severity.PAGE : ratio >= s.alertRatio() ? Severity.ALERT : null;
        if (severity == null) {
            return new Judgement(Verdict.NORMAL, ratio, usualP999, null, s.alertRatio());
        }
        if (p99 <= usualP999 * s.baselineFactor()) {
            return new Judgement(Verdict.USUAL_TAIL, ratio, usualP999, null, s.alertRatio());
        }
        return new Judgement(Verdict.TAIL, ratio, usualP999, severity,
                severity == Severity.PAGE ? s.pageRatio() : s.alertRatio());
    }
}
