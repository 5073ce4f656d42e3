package io.asyncwatch.detect.amplification;

import io.asyncwatch.config.SettingsSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thresholds of the layer-amplification detector (windows: {@code asyncwatch.call-windows.window-ms}).
 *
 * @param layers            layer order from the entry layer down, comma-separated; empty: inferred from caller ->
 *                          destination edges, the contract's api-gateway, service, database as the fallback
 * @param alertFactor       the deepest layer's fan-out at this many times its baseline (every layer at least the
 *                          one above it): ALERT
 * @param pageFactor        ... at this many times: PAGE
 * @param growthLagWindows  growth is attempts now over attempts this many windows earlier (the seeds' "offset 5m")
 * @param baselineMs        trailing span of each layer's usual fan-out per user intent (windows that alerted
 *                          left out, so a storm does not become its own baseline)
 * @param minIntents        first attempts at the entry layer in a window needed to judge it
 * @param minBaselineWindows windows in the baseline span needed before anything alerts
 * @param breakerFactor     a layer amplifying more than this whose attempts still go through CLOSED breakers is
 *                          told "circuit breaker should be OPEN" (the seeds' radar: the gateway at 3x CLOSED is fine,
 *                          the service layer at 9x is not)
 */
public record AmplificationSettings(List<String> layers, double alertFactor, double pageFactor, int growthLagWindows,
                                    long baselineMs, long minIntents, int minBaselineWindows,
                                    double breakerFactor) {

    public static final List<String> CONTRACT_ORDER = List.of("api-gateway", "service", "database");

    public static final AmplificationSettings DEFAULTS =
            new AmplificationSettings(List.of(), 9, 27, 5, 3_600_000, 20, 10, 3);

    public static final SettingsSpec<AmplificationSettings> SPEC = SettingsSpec.of("layer-amplification",
            defaultValues(), s -> new AmplificationSettings(parseLayers(s.optionalText("layers")), s.number("alert-factor"),
                    s.number("page-factor"), (int) s.longValue("growth-lag-windows"), s.longValue("baseline-ms"),
                    s.longValue("min-intents"), (int) s.longValue("min-baseline-windows"),
                    s.number("breaker-factor")));

    private static List<String> parseLayers(String text) {
        return text == null || text.isBlank() ? List.of()
                : Arrays.stream(text.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static Map<String, String> defaultValues() {
        AmplificationSettings d = DEFAULTS;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("layers", "");
        m.put("alert-factor", Double.toString(d.alertFactor()));
        m.put("page-factor", Double.toString(d.pageFactor()));
        m.put("growth-lag-windows", Integer.toString(d.growthLagWindows()));
        m.put("baseline-ms", Long.toString(d.baselineMs()));
        m.put("min-intents", Long.toString(d.minIntents()));
        m.put("min-baseline-windows", Integer.toString(d.minBaselineWindows()));
        m.put("breaker-factor", Double.toString(d.breakerFactor()));
        return m;
    }

    public AmplificationSettings {
        layers = List.copyOf(layers);
        require(layers.stream().distinct().count() == layers.size(), "layers must not repeat a layer: " + layers);
        require(alertFactor > 1, "alert-factor must be above 1, got " + alertFactor);
        require(pageFactor >= alertFactor, "page-factor (" + pageFactor + ") must be at least alert-factor ("
                + alertFactor + ")");
        require(growthLagWindows >= 1, "growth-lag-windows must be at least 1, got " + growthLagWindows);
        require(baselineMs > 0, "baseline-ms must be positive, got " + baselineMs);
        require(minIntents >= 1, "min-intents must be at least 1, got " + minIntents);
        require(minBaselineWindows >= 1, "min-baseline-windows must be at least 1, got " + minBaselineWindows);
        require(breakerFactor >= 1, "breaker-factor must be at least 1, got " + breakerFactor);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("asyncwatch.layer-amplification settings: " + message);
        }
    }
}
