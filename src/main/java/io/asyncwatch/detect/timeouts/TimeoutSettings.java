package io.asyncwatch.detect.timeouts;

import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thresholds of the timeouts detector: timeout effectiveness, the timeout ladder, and cascades judged from
 * configured timeouts alone (windows: {@code asyncwatch.call-windows.window-ms}).
 *
 * @param warnSuccessShare   WARN when a service's success share in a window is below this (contract: 0.7)
 * @param minAttempts        fewer attempts than this in a window: not judged
 * @param bufferMs           the buffer of the ladder's formula: recommended = 2 x p99 + downstream timeout + buffer
 * @param reviewFactor       a configured timeout above this many times the recommended one is REVIEW ("wasting
 *                           resources")
 * @param minLadderCalls     calls on a path in a window needed for its p99 to set a rung
 * @param rememberMs         how long a service's configured timeouts are remembered after its last call with one
 *                           (they are the "downstream timeout" of its callers' rungs)
 */
public record TimeoutSettings(double warnSuccessShare, long minAttempts, long bufferMs, double reviewFactor,
                              long minLadderCalls, long rememberMs) {

    public static final TimeoutSettings DEFAULTS = new TimeoutSettings(0.7, 20, 100, 3.0, 20, 3_600_000);

    public static final SettingsSpec<TimeoutSettings> SPEC = SettingsSpec.of("timeouts", defaultValues(),
            s -> new TimeoutSettings(s.number("warn-success-share"), s.longValue("min-attempts"),
                    s.longValue("buffer-ms"), s.number("review-factor"), s.longValue("min-ladder-calls"),
                    s.longValue("remember-ms")));

    private static Map<String, String> defaultValues() {
        TimeoutSettings d = DEFAULTS;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("warn-success-share", Double.toString(d.warnSuccessShare()));
        m.put("min-attempts", Long.toString(d.minAttempts()));
        m.put("buffer-ms", Long.toString(d.bufferMs()));
        m.put("review-factor", Double.toString(d.reviewFactor()));
        m.put("min-ladder-calls", Long.toString(d.minLadderCalls()));
        m.put("remember-ms", Long.toString(d.rememberMs()));
        return m;
    }

    public TimeoutSettings {
        require(warnSuccessShare > 0 && warnSuccessShare <= 1, "warn-success-share must be in (0, 1], got "
                + warnSuccessShare);
        require(minAttempts >= 1, "min-attempts must be at least 1, got " + minAttempts);
        require(bufferMs >= 0, "buffer-ms must not be negative, got " + bufferMs);
        require(reviewFactor > 1, "review-factor must be above 1, got " + reviewFactor);
        require(minLadderCalls >= 1, "min-ladder-calls must be at least 1, got " + minLadderCalls);
        require(rememberMs > 0, "remember-ms must be positive, got " + rememberMs);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.timeouts settings: " + message);
        }
    }
}
