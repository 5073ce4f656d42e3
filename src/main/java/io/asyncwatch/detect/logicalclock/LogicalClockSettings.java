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
 * @param drift          a node whose vector clock component differs from its cluster's median of that component by
 *                       more than this (clock readings; three nodes besides its owner reporting it) is drifting: WARN; 0: off
 * @param driftWindowMs  the cluster's latest readings are compared once per this much event time; a node whose
 *                       latest reading is older than five windows is left out
 * @param nodeIdleMs     two readings of a node this far apart are not judged against each other (a new sequence);
 *                       a node without a reading for this long plus the grace is forgotten (its slot freed)
 */
public record LogicalClockSettings(long alertGap, long pageGap, long maxNodes, long maxPending, long drift,
                                   long driftWindowMs, long nodeIdleMs) {

    public static final String SECTION = "logical-clock";

    public static final SettingsSpec<LogicalClockSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new LogicalClockSettings(s.longValue("alert-gap"), s.longValue("page-gap"),
                    s.longValue("max-nodes"), s.longValue("max-pending"), s.longValue("drift"),
                    s.longValue("drift-window-ms"), s.longValue("node-idle-ms")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("alert-gap", "1000");
        d.put("page-gap", "10000");
        d.put("max-nodes", "10000");
        d.put("max-pending", "256");
        d.put("drift", "100");
        d.put("drift-window-ms", "60000");
        d.put("node-idle-ms", "3600000");
        return d;
    }

    public LogicalClockSettings {
        Section.require(alertGap >= 1, SECTION, "alert-gap must be at least 1, got " + alertGap);
        Section.require(pageGap >= alertGap, SECTION, "page-gap must be at least alert-gap, got " + pageGap);
        Section.require(maxNodes >= 1, SECTION, "max-nodes must be at least 1, got " + maxNodes);
        Section.require(maxPending >= 1, SECTION, "max-pending must be at least 1, got " + maxPending);
        Section.require(drift >= 0, SECTION, "drift must be 0 (off) or more, got " + drift);
        Section.require(driftWindowMs >= 1000, SECTION, "drift-window-ms must be at least 1000, got "
                + driftWindowMs);
        Section.require(nodeIdleMs >= 60_000, SECTION, "node-idle-ms must be at least 60000, got " + nodeIdleMs);
    }
}
