package io.asyncwatch.detect.latency;

import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thresholds of the latency-tail detector (windows: {@code asyncwatch.call-windows.window-ms}).
 *
 * @param alertRatio         p99 / p50 at which a window is ALERT (contract default 10)
 * @param pageRatio          p99 / p50 at which it is PAGE (contract default 100)
 * @param minCalls           fewer calls than this in a window: too few for a p99
 * @param baselineMs         trailing span of the path's own usual tail (1 hour, current window excluded)
 * @param minBaselineWindows judged windows needed in that span before anything alerts: a path's first minutes
 *                           say nothing about what is usual for it
 * @param baselineFactor     a window alerts only if its p99 is also above this many times the path's usual
 *                           p99.9 (over the baseline span), so an always heavy-tailed path stays quiet
 * @param maxPaths           (service, destination) paths tracked per task; the overflow is logged
 */
public record LatencyTailSettings(double alertRatio, double pageRatio, long minCalls, long baselineMs,
                                  int minBaselineWindows, double baselineFactor, long maxPaths) {

    public static final LatencyTailSettings DEFAULTS =
            new LatencyTailSettings(10, 100, 50, 3_600_000, 10, 1.5, 20_000);

    public static final SettingsSpec<LatencyTailSettings> SPEC = SettingsSpec.of("latency-tail", defaultValues(),
            s -> new LatencyTailSettings(s.number("alert-ratio"), s.number("page-ratio"), s.longValue("min-calls"),
                    s.longValue("baseline-ms"), (int) s.longValue("min-baseline-windows"),
                    s.number("baseline-factor"), s.longValue("max-paths")));

    private static Map<String, String> defaultValues() {
        LatencyTailSettings d = DEFAULTS;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("alert-ratio", Double.toString(d.alertRatio()));
        m.put("page-ratio", Double.toString(d.pageRatio()));
        m.put("min-calls", Long.toString(d.minCalls()));
        m.put("baseline-ms", Long.toString(d.baselineMs()));
        m.put("min-baseline-windows", Integer.toString(d.minBaselineWindows()));
        m.put("baseline-factor", Double.toString(d.baselineFactor()));
        m.put("max-paths", Long.toString(d.maxPaths()));
        return m;
    }

    public LatencyTailSettings {
        require(alertRatio > 1, "alert-ratio must be above 1, got " + alertRatio);
        require(pageRatio >= alertRatio, "page-ratio (" + pageRatio + ") must be at least alert-ratio (" + alertRatio
                + ")");
        require(minCalls >= 1, "min-calls must be at least 1, got " + minCalls);
        require(baselineMs > 0, "baseline-ms must be positive, got " + baselineMs);
        require(minBaselineWindows >= 1, "min-baseline-windows must be at least 1, got " + minBaselineWindows);
        require(baselineFactor >= 1, "baseline-factor must be at least 1, got " + baselineFactor);
        require(maxPaths >= 1, "max-paths must be at least 1, got " + maxPaths);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.latency-tail settings: " + message);
        }
    }
}
