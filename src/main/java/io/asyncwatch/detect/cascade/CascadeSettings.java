package io.asyncwatch.detect.cascade;

import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the trace-based cascade-timeout detector (episode windows: {@code asyncwatch.call-windows.window-ms}).
 *
 * @param horizonMs      a trace is judged this long (event time) after its first span arrived: its spans must all
 *                       be in by then; a span arriving later starts a trace of its own (judged without its parent)
 * @param maxTraces      traces gathered per task at once
 * @param maxSpans       spans kept per trace; further ones are counted, not kept
 * @param maxServices    callers with open windows per task
 */
public record CascadeSettings(long horizonMs, long maxTraces, int maxSpans, long maxServices) {

    public static final CascadeSettings DEFAULTS = new CascadeSettings(60_000, 500_000, 256, 10_000);

    public static final SettingsSpec<CascadeSettings> SPEC = SettingsSpec.of("cascade-timeout", defaultValues(),
            s -> new CascadeSettings(s.longValue("horizon-ms"), s.longValue("max-traces"),
                    (int) s.longValue("max-spans"), s.longValue("max-services")));

    private static Map<String, String> defaultValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("horizon-ms", Long.toString(DEFAULTS.horizonMs()));
        m.put("max-traces", Long.toString(DEFAULTS.maxTraces()));
        m.put("max-spans", Integer.toString(DEFAULTS.maxSpans()));
        m.put("max-services", Long.toString(DEFAULTS.maxServices()));
        return m;
    }

    public CascadeSettings {
        require(horizonMs > 0, "horizon-ms must be positive, got " + horizonMs);
        require(maxTraces >= 1, "max-traces must be at least 1, got " + maxTraces);
        require(maxSpans >= 2, "max-spans must be at least 2, got " + maxSpans);
        require(maxServices >= 1, "max-services must be at least 1, got " + maxServices);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.cascade-timeout settings: " + message);
        }
    }
}
