package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * @param maxServices        services tracked per task (and pending partial counts per input partition): names
 *                           come from producers, so a flood of distinct ones is capped and the overflow reported
 */
public record RetryStormSettings(
        long windowMs,
        long baselineMs,
        double warnMultiplier,
        double pageMultiplier,
        double baselineFloor,
        long minWindowAttempts,
        long minBaselineAttempts,
        double maxPValue,
        long maxServices) {

    public static final RetryStormSettings DEFAULTS =
            new RetryStormSettings(60_000, 3_600_000, 2.0, 5.0, 0.01, 20, 300, 1e-6, 10_000);

    public static final SettingsSpec<RetryStormSettings> SPEC = SettingsSpec.of("retry-storm", defaultValues(),
            s -> new RetryStormSettings(
                    s.longValue("window-ms"), s.longValue("baseline-ms"), s.number("warn-multiplier"),
                    s.number("page-multiplier"), s.number("baseline-floor"), s.longValue("min-window-attempts"),
                    s.longValue("min-baseline-attempts"), s.number("max-p-value"), s.longValue("max-services")));

    private static Map<String, String> defaultValues() {
        RetryStormSettings r = DEFAULTS;
        Map<String, String> d = new LinkedHashMap<>();
        d.put("window-ms", Long.toString(r.windowMs()));
        d.put("baseline-ms", Long.toString(r.baselineMs()));
        d.put("warn-multiplier", Double.toString(r.warnMultiplier()));
        d.put("page-multiplier", Double.toString(r.pageMultiplier()));
        d.put("baseline-floor", Double.toString(r.baselineFloor()));
        d.put("min-window-attempts", Long.toString(r.minWindowAttempts()));
        d.put("min-baseline-attempts", Long.toString(r.minBaselineAttempts()));
        d.put("max-p-value", Double.toString(r.maxPValue()));
        d.put("max-services", Long.toString(r.maxServices()));
        return d;
    }

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
        require(maxServices >= 1, "max-services must be at least 1, got " + maxServices);
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
