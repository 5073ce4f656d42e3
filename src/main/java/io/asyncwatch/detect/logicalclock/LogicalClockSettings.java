package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.logical-clock.*}.
 *
 * @param alertGap       a Lamport clock or vector component advancing more than this between consecutive readings
 *                       of a node raises ALERT (the contract's logical clock gap)
 * @param pageGap        more than this pages
 * @param maxNodes       nodes tracked per task
 * @param maxPending     readings of one node waiting out the grace period
 */
public record LogicalClockSettings(long alertGap, long pageGap, long maxNodes, long maxPending) {

    public static final String SECTION = "logical-clock";

    public static final SettingsSpec<LogicalClockSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new LogicalClockSettings(s.longValue("alert-gap"), s.longValue("page-gap"),
                    s.longValue("max-nodes"), s.longValue("max-pending")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("alert-gap", "1000");
        d.put("page-gap", "10000");
        d.put("max-nodes", "10000");
        d.put("max-pending", "256");
        return d;
    }

    public LogicalClockSettings {
        Section.require(alertGap >= 1, SECTION, "alert-gap must be at least 1, got " + alertGap);
        Section.require(pageGap >= alertGap, SECTION, "page-gap must be at least alert-gap, got " + pageGap);
        Section.require(maxNodes >= 1, SECTION, "max-nodes must be at least 1, got " + maxNodes);
        Section.require(maxPending >= 1, SECTION, "max-pending must be at least 1, got " + maxPending);
    }
}
