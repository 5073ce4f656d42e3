package io.asyncwatch.detect.clockskew;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.clock-skew.*}.
 *
 * @param windowMs      clock readings and heartbeats are gathered per cluster and window, then judged
 * @param warnMs        a node this far from its cluster's median offset (or more) is skewed: WARN (the seeds' 100 ms)
 * @param alertMs       ALERT (200 ms)
 * @param pageMs        PAGE (500 ms)
 * @param driftWarnPpm  a node whose clock drifts more than this (parts per million) raises CLOCK_DRIFT WARN (50)
 * @param syncFailures  readings with {@code syncOk=false} of one node in a window at which they are a finding
 * @param minNodes      nodes with readings a cluster needs for its median to mean anything; below it, nodes are
 *                      judged by their offset from the reference instead
 * @param maxClusters   clusters tracked per task; further ones are not checked, counted and logged
 * @param maxNodes      nodes tracked per cluster and window
 */
public record ClockSkewSettings(long windowMs, long warnMs, long alertMs, long pageMs, double driftWarnPpm,
                                int syncFailures, int minNodes, long maxClusters, int maxNodes) {

    public static final String SECTION = "clock-skew";

    public static final SettingsSpec<ClockSkewSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new ClockSkewSettings(s.longValue("window-ms"), s.longValue("warn-ms"), s.longValue("alert-ms"),
                    s.longValue("page-ms"), s.number("drift-warn-ppm"), s.integer("sync-failures"),
                    s.integer("min-nodes"), s.longValue("max-clusters"), s.integer("max-nodes")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("window-ms", "60000");
        d.put("warn-ms", "100");
        d.put("alert-ms", "200");
        d.put("page-ms", "500");
        d.put("drift-warn-ppm", "50");
        d.put("sync-failures", "2");
        d.put("min-nodes", "3");
        d.put("max-clusters", "10000");
        d.put("max-nodes", "200");
        return d;
    }

    public ClockSkewSettings {
        Section.require(windowMs > 0, SECTION, "window-ms must be positive, got " + windowMs);
        Section.require(warnMs > 0 && warnMs <= alertMs && alertMs <= pageMs, SECTION,
                "need 0 < warn-ms <= alert-ms <= page-ms, got " + warnMs + ", " + alertMs + ", " + pageMs);
        Section.require(driftWarnPpm > 0, SECTION, "drift-warn-ppm must be positive, got " + driftWarnPpm);
        Section.require(syncFailures >= 1, SECTION, "sync-failures must be at least 1, got " + syncFailures);
        Section.require(minNodes >= 2, SECTION, "min-nodes must be at least 2, got " + minNodes);
        Section.require(maxClusters >= 1, SECTION, "max-clusters must be at least 1, got " + maxClusters);
        Section.require(maxNodes >= 1, SECTION, "max-nodes must be at least 1, got " + maxNodes);
    }
}
