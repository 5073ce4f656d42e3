package io.asyncwatch.detect.heartbeats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The heartbeat stage's stored state: what the previous release stored is read on arrival time. */
class ClusterViewFormatTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long GRACE = 30_000;
    private final HeartbeatSettings s = AsyncwatchConfig.fromMap(Map.of()).settings(HeartbeatSettings.SPEC);

    private static Beat beat(long seq, long sent, long arrived) {
        return Beat.of(new HeartbeatEvent("h-" + seq, "orders-3", "orders-cluster", sent, seq, Role.LEADER, 4L,
                5_000L), arrived);
    }

    /**
     * The previous release (version 1) judged on the sender's time: a node stamping 60 s behind, its last judged
     * heartbeat sent at T0 (arrived T0 + 60 s), one pending heartbeat sent 5 s later.
     */
    private ClusterView previousRelease() {
        ClusterView v = new ClusterView(s, GRACE);
        ClusterView.NodeView n = new ClusterView.NodeView();
        n.sequence = 10;
        n.term = 4;
        n.role = Role.LEADER;
        n.intervalMs = 5_000;
        n.lastTime = T0;               // version 1: the effective (sender's) time
        n.lastSent = T0 + 60_000;      // version 1's second slot: the arrival
        n.leaderTerm = 4;
        n.leaderSince = T0 - 30_000;
        n.leaderLast = T0;
        n.lastHeard = T0 + 5_000;
        n.pending.add(new ClusterView.Pending(beat(11, T0 + 5_000, T0 + 65_000), T0 + 5_000));
        v.nodes.put("orders-3", n);
        return v;
    }

    @Test
    void theStateOfThePreviousReleaseIsReadOnArrivalTime() {
        byte[] b = previousRelease().toBytes();
        b[0] = 1; // the same layout, version 1
        ClusterView.NodeView n = ClusterView.fromBytes(b, s, GRACE).nodes.get("orders-3");
        assertEquals(T0 + 60_000, n.lastTime, "its last heartbeat's arrival");
        assertEquals(T0, n.lastSent);
        assertEquals(T0 + 30_000, n.leaderSince, "the claim moved by the node's 60 s too");
        assertEquals(T0 + 60_000, n.leaderLast);
        assertEquals(T0 + 65_000, n.pending.get(0).time(), "the pending heartbeat waits on its arrival");
        assertEquals(T0 + 65_000, n.lastHeard);
    }

    @Test
    void theUpgradedStateJudgesTheNextHeartbeatsWithoutAFalseDeath() {
        byte[] b = previousRelease().toBytes();
        b[0] = 1;
        ClusterView v = ClusterView.fromBytes(b, s, GRACE);
        List<ClusterView.Outcome> out = new java.util.ArrayList<>(v.heartbeat(beat(12, T0 + 10_000, T0 + 70_000),
                T0 + 70_000));
        out.addAll(v.advance(T0 + 70_000 + GRACE));
        assertTrue(out.stream().noneMatch(o -> o instanceof ClusterView.FalseDeath), out.toString());
        assertEquals(12, v.nodes.get("orders-3").sequence, "both heartbeats judged, in order");
        List<ClusterView.Window> windows = new java.util.ArrayList<>(v.windows.values());
        out.forEach(o -> {
            if (o instanceof ClusterView.Closed c) {
                windows.add(c.window());
            }
        });
        long lost = 0;
        long late = 0;
        for (ClusterView.Window w : windows) {
            ClusterView.NodeStats st = w.nodes.get("orders-3");
            if (st != null) {
                lost += st.lost;
                late += st.late;
            }
        }
        assertEquals(0, lost, "the pending heartbeat was judged, not dropped as late and then counted lost");
        assertEquals(0, late);
    }

    @Test
    void theStateRoundTrips() {
        ClusterView v = previousRelease();
        ClusterView.NodeView n = ClusterView.fromBytes(v.toBytes(), s, GRACE).nodes.get("orders-3");
        assertEquals(T0, n.lastTime);
        assertEquals(T0 + 60_000, n.lastSent);
        assertEquals(T0 + 5_000, n.pending.get(0).time());
    }
}
