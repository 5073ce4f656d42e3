package io.asyncwatch.detect.retrystorm;

/**
 * Thresholds of the retry-storm detector.
 *
 * @param windowMs           length of one judged window (1 minute)
 * @param baselineMs         trailing span the baseline share is taken over (1 hour, current window excluded)
 * @param warnMultiplier     multiplier at which a significant window is WARN
 * @param pageMultiplier     multiplier at which a significant window is PAGE
 * @param baselineFloor      the baseline share is never taken below this, so a service that almost never
 *                           retries does not page on its first few retries
 * @param minWindowAttempts  fewer attempts than this in a window: too little traffic to judge
 * @param minBaselineAttempts fewer attempts than this in the baseline span: no baseline yet
 * @param maxPValue          a window alerts only if at least its retries would happen by chance at the
 *                           baseline share with probability below this (one-sided binomial test)
 */
public record RetryStormSettings(
        long windowMs,
        long baselineMs,
        double warnMultiplier,
        double pageMultiplier,
        double baselineFloor,
        long minWindowAttempts,
        long minBaselineAttempts,
        double maxPValue) {

    public static final RetryStormSettings DEFAULTS =
            new RetryStormSettings(60_000, 3_600_000, 2.0, 5.0, 0.01, 20, 300, 1e-6);

    public RetryStormSettings {
        require(windowMs > 0, "window-ms must be positive, got " + windowMs);
        require(baselineMs >= windowMs && baselineMs % windowMs == 0,
                "baseline-ms (" + baselineMs + ") must be a whole number of windows of " + windowMs + " ms");
        require(warnMultiplier > 1.0, "warn multiplier (warn-multiplier) must be above 1, got " + warnMultiplier);
        require(pageMultiplier >= warnMultiplier, "page multiplier (page-multiplier, " + pageMultiplier
                + ") must be at least the warn multiplier (warn-multiplier, " + warnMultiplier + ")");
        require(baselineFloor > 0 && baselineFloor < 1, "baseline-floor must be in (0, 1), got " + baselineFloor);
        require(minWindowAttempts >= 1, "min-window-attempts must be at least 1, got " + minWindowAttempts);
        require(minBaselineAttempts >= 1, "min-baseline-attempts must be at least 1, got " + minBaselineAttempts);
        require(maxPValue > 0 && maxPValue < 1, "max-p-value must be in (0, 1), got " + maxPValue);
    }

    public int baselineWindows() {
        return (int) (baselineMs / windowMs);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.retry-storm settings: " + message);
        }
    }
}
