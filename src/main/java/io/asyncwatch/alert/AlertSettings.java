package io.asyncwatch.alert;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.alerts.*}: how episodes end and how long the alert stage remembers them.
 *
 * @param resolveAfterWindows windowed detectors: consecutive clear windows (or windows of silence) before RESOLVED
 * @param quietPeriodMs       event-driven detectors: event time without new evidence before RESOLVED
 * @param maxEpisodeMs        a still-firing episode is announced again (FIRING) this long after its last
 *                            announcement, so a forgotten page is not silent forever
 * @param rememberMs          how long a fingerprint's episode count is kept after its last episode ended (it
 *                            makes every episode's alert ids distinct)
 * @param maxFingerprints     fingerprints tracked per task; findings for more are counted and logged, not alerted
 */
public record AlertSettings(int resolveAfterWindows, long quietPeriodMs, long maxEpisodeMs, long rememberMs,
                            long maxFingerprints) {

    public static final SettingsSpec<AlertSettings> SPEC = SettingsSpec.of("alerts", defaultValues(),
            s -> new AlertSettings(
                    s.integer("resolve-after-windows"), s.longValue("quiet-period-ms"), s.longValue("max-episode-ms"),
                    s.longValue("remember-ms"), s.longValue("max-fingerprints")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("resolve-after-windows", "3");
        d.put("quiet-period-ms", "600000");
        d.put("max-episode-ms", "14400000");
        d.put("remember-ms", "604800000");
        d.put("max-fingerprints", "100000");
        return d;
    }

    public AlertSettings {
        Section.require(resolveAfterWindows >= 1, "alerts", "resolve-after-windows must be at least 1, got "
                + resolveAfterWindows);
        Section.require(quietPeriodMs > 0, "alerts", "quiet-period-ms must be positive, got " + quietPeriodMs);
        Section.require(maxEpisodeMs > 0, "alerts", "max-episode-ms must be positive, got " + maxEpisodeMs);
        Section.require(rememberMs >= 0, "alerts", "remember-ms must not be negative, got " + rememberMs);
        Section.require(maxFingerprints >= 1, "alerts", "max-fingerprints must be at least 1, got " + maxFingerprints);
    }
}
