package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import java.util.List;
import java.util.Map;

/**
 * The seeds' clock skew heatmap's red row: in minutes {@code fromMinute..toMinute} (inclusive) {@code node}'s clock
 * readings report it {@code offsetMs} ahead of the reference (NTP lost it), then it is back. Volumes do not change.
 */
public record SkewedClock(String cluster, String node, int fromMinute, int toMinute, double offsetMs)
        implements Scenario {

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        m.rewrite(g -> g.event() instanceof ClockEvent c && c.node().equals(node)
                ? TrafficGenerator.Generated.clock(new ClockEvent(c.eventId(), c.node(), c.cluster(), c.timestamp(),
                        c.offsetMs() + offsetMs, c.driftPpm(), c.syncOk(), c.lamport(), c.vectorClock()))
                : g);
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(new ExpectedEpisode(AlertType.CLOCK_SKEW, Map.of("cluster", cluster, "node", node)));
    }
}
