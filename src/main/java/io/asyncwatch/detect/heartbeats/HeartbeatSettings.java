package io.asyncwatch.detect.heartbeats;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.heartbeats.*}.
 *
 * @param windowMs      heartbeats, losses, delays and leaders are counted per window (metrics, findings)
 * @param suspectAfter  a node silent for more than this many of its own {@code intervalMs} is suspected dead (the
 *                      failure detector's timeout, k)
 * @param lossWarn      share of a node's heartbeats lost in a window (sequence gaps) above which HEARTBEAT_LOSS warns
 *                      (the seeds' message loss rate, WARN above 0.001)
 * @param maxClusters   clusters tracked per task; heartbeats of further ones are not checked, counted and logged
 * @param maxNodes      nodes tracked per cluster (a cluster's state is one store value, which grows with its nodes)
 */
public record HeartbeatSettings(long windowMs, double suspectAfter, double lossWarn, long maxClusters, int maxNodes) {

    public static final String SECTION = "heartbeats";

    public static final SettingsSpec<HeartbeatSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new HeartbeatSettings(s.longValue("window-ms"), s.number("suspect-after"), s.number("loss-warn"),
                    s.longValue("max-clusters"), s.integer("max-nodes")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("window-ms", "60000");
        d.put("suspect-after", "3");
        d.put("loss-warn", "0.001");
        d.put("max-clusters", "10000");
        d.put("max-nodes", "200");
        return d;
    }

    public HeartbeatSettings {
        Section.require(windowMs > 0, SECTION, "window-ms must be positive, got " + windowMs);
        Section.require(suspectAfter >= 1, SECTION, "suspect-after must be at least 1 (intervals), got "
                + suspectAfter);
        Section.require(lossWarn >= 0 && lossWarn < 1, SECTION, "loss-warn must be within 0..1, got " + lossWarn);
        Section.require(maxClusters >= 1, SECTION, "max-clusters must be at least 1, got " + maxClusters);
        Section.require(maxNodes >= 1, SECTION, "max-nodes must be at least 1, got " + maxNodes);
    }
}
