package io.asyncwatch.detect.calls;

import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-service call windows that the request-health detectors (latency tails, timeouts, layer amplification)
 * share: one aggregation, however many detectors read it.
 *
 * @param windowMs        length of one window (1 minute)
 * @param maxServices     services with open windows per task: names come from producers, so a flood of
 *                        distinct ones is capped and the overflow logged
 * @param maxDestinations destinations kept per service and window, the busiest; the others are counted together
 *                        under "(other)"
 */
public record CallWindowSettings(long windowMs, long maxServices, long maxDestinations) {

    public static final CallWindowSettings DEFAULTS = new CallWindowSettings(60_000, 10_000, 100);

    public static final SettingsSpec<CallWindowSettings> SPEC = SettingsSpec.of("call-windows", defaultValues(),
            s -> new CallWindowSettings(s.longValue("window-ms"), s.longValue("max-services"),
                    s.longValue("max-destinations")));

    public static final String OTHER = "(other)";

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("window-ms", Long.toString(DEFAULTS.windowMs()));
        d.put("max-services", Long.toString(DEFAULTS.maxServices()));
        d.put("max-destinations", Long.toString(DEFAULTS.maxDestinations()));
        return d;
    }

    public CallWindowSettings {
        require(windowMs >= 1000, "window-ms must be at least 1000, got " + windowMs);
        require(maxServices >= 1, "max-services must be at least 1, got " + maxServices);
        require(maxDestinations >= 1, "max-destinations must be at least 1, got " + maxDestinations);
    }

    public long windowStart(long time) {
        return Math.floorDiv(time, windowMs) * windowMs;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.call-windows settings: " + message);
        }
    }
}
