package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import java.util.List;
import java.util.Map;

/**
 * The seeds' "Node-D: JUMP DETECTED": {@code node}'s clock readings carry a Lamport clock (and its own vector
 * component) that advances with time, about one per 100 ms; in minute {@code jumpMinute} it jumps ahead by
 * {@code jump} and carries on from there. Volumes do not change.
 */
public record LogicalClockJump(String node, int jumpMinute, long jump) implements Scenario {

    @Override
    public void minute(Minute m) {
        long base = m.start();
        m.rewrite(g -> {
            if (g.event() instanceof ClockEvent c && c.node().equals(node)) {
                long lamport = (c.timestamp() - base) / 100 + 600L * m.index() + (m.index() >= jumpMinute ? jump : 0);
                return TrafficGenerator.Generated.clock(new ClockEvent(c.eventId(), c.node(), c.cluster(),
                        c.timestamp(), c.offsetMs(), c.driftPpm(), c.syncOk(), lamport, Map.of(node, lamport)));
            }
            return g;
        });
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(ExpectedEpisode.of(AlertType.LOGICAL_CLOCK_JUMP, "node", node));
    }
}
