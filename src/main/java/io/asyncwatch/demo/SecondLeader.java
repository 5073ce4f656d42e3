package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Role;
import java.util.List;

/**
 * The seeds' split brain: for {@code seconds} from second 10 of minute {@code minute}, {@code node}, a follower,
 * claims to lead its cluster in the current term alongside the real leader. Volumes do not change.
 */
public record SecondLeader(String cluster, String node, int minute, int seconds) implements Scenario {

    @Override
    public void minute(Minute m) {
        if (m.index() != minute) {
            return;
        }
        long from = m.start() + 10_000;
        m.rewrite(g -> {
            if (g.event() instanceof HeartbeatEvent h && h.node().equals(node) && h.timestamp() >= from
                    && h.timestamp() < from + seconds * 1_000L) {
                return TrafficGenerator.Generated.heartbeat(new HeartbeatEvent(h.eventId(), h.node(), h.cluster(),
                        h.timestamp(), h.sequence(), Role.LEADER, h.term(), h.intervalMs()));
            }
            return g;
        });
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(ExpectedEpisode.of(AlertType.SPLIT_BRAIN, "cluster", cluster));
    }
}
