package io.asyncwatch.alertmanager;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.alertmanager.*}: forwarding asyncwatch's alerts to a Prometheus Alertmanager.
 *
 * @param url          the Alertmanager's base URL (e.g. {@code http://alertmanager:9093}); empty: off
 * @param resendMs     how often firing alerts are sent again (Alertmanager forgets one not re-sent in time)
 * @param maxAlerts    firing episodes kept for re-sending
 * @param timeoutMs    per request
 * @param dashboardUrl the link back in every alert; empty: the dashboard this process serves, if any
 */
public record AlertmanagerSettings(String url, long resendMs, int maxAlerts, long timeoutMs, String dashboardUrl) {

    public static final String SECTION = "alertmanager";

    public static final SettingsSpec<AlertmanagerSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new AlertmanagerSettings(s.optionalText("url"), s.longValue("resend-ms"), s.integer("max-alerts"),
                    s.longValue("timeout-ms"), s.optionalText("dashboard-url")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("url", "");
        d.put("resend-ms", "60000");
        d.put("max-alerts", "10000");
        d.put("timeout-ms", "10000");
        d.put("dashboard-url", "");
        return d;
    }

    public AlertmanagerSettings {
        url = url == null ? "" : url.trim().replaceAll("/+$", "");
        dashboardUrl = dashboardUrl == null ? "" : dashboardUrl.trim();
        Section.require(url.isEmpty() || url.matches("https?://.+"), SECTION,
                "url must be http(s)://host:port, got '" + url + "'");
        Section.require(resendMs >= 1_000, SECTION, "resend-ms must be at least 1000, got " + resendMs);
        Section.require(maxAlerts >= 1, SECTION, "max-alerts must be at least 1, got " + maxAlerts);
        Section.require(timeoutMs >= 100, SECTION, "timeout-ms must be at least 100, got " + timeoutMs);
    }

    public boolean enabled() {
        return !url.isEmpty();
    }
}
