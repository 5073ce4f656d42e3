package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.HeartbeatEvent;
import java.util.List;
import java.util.Map;

/**
 * The seeds' false death: at second 10 of minute {@code minute}, {@code node} stops for {@code pauseMs} (a long GC
 * pause) and sends no heartbeats; then it carries on where it was, its sequence continuing (no number skipped: it
 * was not network loss) and its term unchanged. Its peers' failure detectors would have declared it dead. Volumes
 * otherwise do not change.
 */
public record PausedNode(String cluster, String node, int minute, long pauseMs) implements Scenario {

    public PausedNode {
        if (pauseMs % ClusterTraffic.HEARTBEAT_INTERVAL_MS != 0 || pauseMs <= 0) {
            throw new IllegalArgumentException("the pause must be a whole number of heartbeat intervals");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < minute) {
            return;
        }
        long from = m.start() - (long) (m.index() - minute) * 60_000 + 10_000;
        long skipped = pauseMs / ClusterTraffic.HEARTBEAT_INTERVAL_MS;
        m.rewrite(g -> {
            if (!(g.event() instanceof HeartbeatEvent h) || !h.node().equals(node) || h.timestamp() < from) {
                return g;
            }
            if (h.timestamp() < from + pauseMs) {
                return null;
            }
            return TrafficGenerator.Generated.heartbeat(new HeartbeatEvent(h.eventId(), h.node(), h.cluster(),
                    h.timestamp(), h.sequence() - skipped, h.role(), h.term(), h.intervalMs()));
        });
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(new ExpectedEpisode(AlertType.FALSE_DEATH, Map.of("cluster", cluster, "node", node)));
    }
}
