package io.asyncwatch.dashboard;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.dashboard.*}: the web page and {@code /metrics} that {@code run} and {@code demo} serve.
 *
 * @param enabled    serve them
 * @param address    host:port to listen on; loopback by default, so nothing is exposed without asking
 * @param historyMs  how much of the metrics and alerts topics is read at start and kept (by record time)
 * @param maxSeries  metric series kept; the least recently updated go first
 * @param maxPoints  points kept per series (the newest)
 * @param maxAlerts  alert episodes kept (resolved ones go first, oldest first)
 * @param refreshMs  how often the page asks for fresh data
 */
public record DashboardSettings(boolean enabled, String address, long historyMs, int maxSeries, int maxPoints,
                                int maxAlerts, long refreshMs) {

    public static final String SECTION = "dashboard";

    public static final SettingsSpec<DashboardSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new DashboardSettings(s.bool("enabled"), s.text("address"), s.longValue("history-ms"),
                    s.integer("max-series"), s.integer("max-points"), s.integer("max-alerts"),
                    s.longValue("refresh-ms")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("enabled", "true");
        d.put("address", "127.0.0.1:8420");
        d.put("history-ms", "10800000");
        d.put("max-series", "1000");
        d.put("max-points", "120");
        d.put("max-alerts", "1000");
        d.put("refresh-ms", "2000");
        return d;
    }

    public DashboardSettings {
        Section.require(address.matches(".+:\\d{1,5}"), SECTION, "address must be host:port, got '" + address + "'");
        Section.require(historyMs > 0, SECTION, "history-ms must be positive, got " + historyMs);
        Section.require(maxSeries >= 1, SECTION, "max-series must be at least 1, got " + maxSeries);
        Section.require(maxPoints >= 2, SECTION, "max-points must be at least 2, got " + maxPoints);
        Section.require(maxAlerts >= 1, SECTION, "max-alerts must be at least 1, got " + maxAlerts);
        Section.require(refreshMs >= 200, SECTION, "refresh-ms must be at least 200, got " + refreshMs);
    }
}
