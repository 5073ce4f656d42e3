package io.asyncwatch.detect.heartbeats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Role;
import io.asyncwatch.model.Severity;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.FullTopology;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The heartbeats detector: loss, false death (and not a restart), split brain; alone and through the alert stage. */
class HeartbeatsTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;
    private static final long INTERVAL = 5_000;

    /** A heartbeat as sent, and the time its record is stamped (arrival). */
    record Sent(HeartbeatEvent event, long arrival) {
    }

    /**
     * {@code minutes} of a healthy three-node cluster (orders-1 leads term 4), each node every 5 s, arriving 20 ms
     * after they were sent; {@code change} may rewrite or drop (null) each heartbeat.
     */
    private static List<Sent> cluster(int minutes, UnaryOperator<Sent> change) {
        List<Sent> out = new ArrayList<>();
        String[] nodes = {"orders-1", "orders-2", "orders-3"};
        for (int n = 0; n < 3; n++) {
            long seq = 0;
            for (long t = T0 + n * 1_000L; t < T0 + minutes * M; t += INTERVAL) {
                HeartbeatEvent e = new HeartbeatEvent(nodes[n] + "-" + seq, nodes[n], "orders-cluster", t, seq++,
                        n == 0 ? Role.LEADER : Role.FOLLOWER, 4L, INTERVAL);
                Sent s = change.apply(new Sent(e, t + 20));
                if (s != null) {
                    out.add(s);
                }
            }
        }
        out.sort(Comparator.comparingLong(Sent::arrival));
        return out;
    }

    private static HeartbeatEvent with(HeartbeatEvent e, Long seq, Role role, Long term) {
        return new HeartbeatEvent(e.eventId(), e.node(), e.cluster(), e.timestamp(), seq == null ? e.sequence() : seq,
                role == null ? e.role() : role, term == null ? e.term() : term, e.intervalMs());
    }

    private static void send(DetectorHarness h, List<Sent> beats) {
        beats.forEach(b -> h.send(b.event(), b.arrival()));
        h.silence();
    }

    /** Reading the harness's output drains it: read once, then filter. */
    private static List<Finding> firing(List<Finding> findings, AlertType type) {
        return findings.stream().filter(f -> f.type() == type && !f.isClear()).toList();
    }

    @Test
    void aHealthyClusterRaisesNothingAndPublishesItsLossAndDelay() {
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, cluster(10, UnaryOperator.identity()));
            assertEquals(List.of(), h.findings().stream().filter(f -> !f.isClear()).toList());
            List<Metric> metrics = h.metrics();
            Metric loss = metrics.stream().filter(m -> m.seriesKey()
                    .equals("heartbeat_loss{cluster=\"orders-cluster\",node=\"*\"}")).findFirst().orElseThrow();
            assertEquals(0.0, loss.values().get("lost"));
            assertEquals(36.0, loss.values().get("received"), "3 nodes x 12 a minute");
            Metric delay = metrics.stream().filter(m -> m.seriesKey()
                    .equals("heartbeat_delay{cluster=\"orders-cluster\",node=\"orders-2\"}")).findFirst().orElseThrow();
            assertEquals(20.0, delay.values().get("p50Ms"), 20 * 0.02, "record time - sender time");
            assertTrue(metrics.stream().filter(m -> m.metric().equals("heartbeat_suspected"))
                    .allMatch(m -> m.windowStart() >= T0 + 10 * M - INTERVAL), "suspected only once the input ended");
        }
    }

    @Test
    void sequenceGapsAreLossPerNode() {
        // orders-2 loses two heartbeats in minute 4: its sequence skips them.
        List<Sent> beats = cluster(10, s -> s.event().node().equals("orders-2")
                && (s.event().sequence() == 50 || s.event().sequence() == 51) ? null : s);
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            List<Finding> findings = h.findings();
            List<Finding> loss = firing(findings, AlertType.HEARTBEAT_LOSS);
            assertEquals(1, loss.size(), loss.toString());
            Finding f = loss.get(0);
            assertEquals("HEARTBEAT_LOSS{cluster=\"orders-cluster\",node=\"orders-2\"}", f.fingerprint());
            assertEquals(Severity.WARN, f.severity());
            assertEquals(2.0 / 12, f.value(), 1e-9, "2 of the 12 sent in that minute");
            assertEquals(T0 + 4 * M, f.windowStart());
            assertTrue(f.summary().contains("2 of 12 heartbeats lost"), f.summary());
        }
    }

    @Test
    void theSameFindingsWhateverTheArrivalOrderWithinTheGrace() {
        List<Sent> beats = cluster(10, s -> s.event().node().equals("orders-2")
                && (s.event().sequence() == 50 || s.event().sequence() == 51) ? null : s);
        List<Finding> inOrder;
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            inOrder = h.findings();
        }
        // Runs of 12 heartbeats (20 s of the cluster) arrive in a shuffled order: within the 30 s grace.
        List<Sent> shuffled = new ArrayList<>(beats);
        java.util.Random random = new java.util.Random(3);
        for (int from = 0; from + 12 <= shuffled.size(); from += 12) {
            java.util.Collections.shuffle(shuffled.subList(from, from + 12), random);
        }
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, shuffled);
            assertEquals(inOrder, h.findings());
        }
        assertEquals(1, firing(inOrder, AlertType.HEARTBEAT_LOSS).size(), "orders-2's two lost heartbeats only");
    }

    @Test
    void aNodeSilentBeyondTheTimeoutThatComesBackWasAFalseDeathNoticedWhileSilent() {
        // orders-3 stops sending for 20 s (a long GC pause) in minute 5 and carries on with the next sequence number.
        long from = T0 + 5 * M + 2_000;
        List<Sent> beats = cluster(12, s -> {
            HeartbeatEvent e = s.event();
            if (!e.node().equals("orders-3") || e.timestamp() < from) {
                return s;
            }
            if (e.timestamp() < from + 20_000) {
                return null;
            }
            return new Sent(with(e, e.sequence() - 4, null, null), s.arrival()); // paused: it sent nothing
        });
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            List<Finding> findings = h.findings();
            List<Finding> deaths = firing(findings, AlertType.FALSE_DEATH);
            assertEquals(1, deaths.size(), deaths.toString());
            Finding f = deaths.get(0);
            assertEquals("FALSE_DEATH{cluster=\"orders-cluster\",node=\"orders-3\"}", f.fingerprint());
            assertEquals(Severity.ALERT, f.severity());
            assertEquals(5.0, f.value(), 1e-9, "a 25 s gap is 5 intervals");
            assertTrue(f.summary().contains("silent 25.0 s, 5.0x its 5.0 s heartbeat interval"), f.summary());
            assertTrue(f.evidence().contains("same term 4: no election happened meanwhile"), f.evidence().toString());
            Metric suspected = h.metrics().stream().filter(m -> m.metric().equals("heartbeat_suspected"))
                    .findFirst().orElseThrow();
            assertEquals("orders-3", suspected.labels().get("node"));
            assertTrue(suspected.windowEnd() < from + 23_000, "noticed while it was silent, not when it came back: "
                    + suspected);
            assertEquals(List.of(), firing(findings, AlertType.HEARTBEAT_LOSS), "paused, not lost: no sequence gap");
        }
    }

    @Test
    void aNodeWhoseClockStepsAheadWhileItKeepsBeatingIsNoFalseDeath() {
        // orders-3's clock steps 20 s ahead in minute 5; its heartbeats keep arriving every 5 s.
        long from = T0 + 5 * M + 2_000;
        List<Sent> beats = cluster(12, s -> {
            HeartbeatEvent e = s.event();
            if (!e.node().equals("orders-3") || e.timestamp() < from) {
                return s;
            }
            HeartbeatEvent stepped = new HeartbeatEvent(e.eventId(), e.node(), e.cluster(), e.timestamp() + 20_000,
                    e.sequence(), e.role(), e.term(), e.intervalMs());
            return new Sent(stepped, s.arrival());
        });
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            assertEquals(List.of(), firing(h.findings(), AlertType.FALSE_DEATH),
                    "a 25 s gap between its stamps, but a heartbeat every 5 s: never silent");
        }
    }

    @ParameterizedTest(name = "orders-3's clock {0} ms off from minute 5")
    @ValueSource(longs = {-75_000, -20_000, 120_000})
    void aNodeWhoseClockIsOffOrStepsButKeepsBeatingIsNeitherSilentNorLosing(long off) {
        // Its heartbeats arrive every 5 s as before; only its own stamps move (behind, stepping back, far ahead).
        long from = T0 + 5 * M + 2_000;
        List<Sent> beats = cluster(12, s -> {
            HeartbeatEvent e = s.event();
            if (!e.node().equals("orders-3") || e.timestamp() < from) {
                return s;
            }
            return new Sent(new HeartbeatEvent(e.eventId(), e.node(), e.cluster(), e.timestamp() + off, e.sequence(),
                    e.role(), e.term(), e.intervalMs()), s.arrival());
        });
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            assertEquals(List.of(), h.findings().stream().filter(f -> !f.isClear()).toList(),
                    "no false death, no loss, no split");
            List<Metric> metrics = h.metrics();
            assertEquals(List.of(), metrics.stream().filter(m -> m.metric().equals("heartbeat_suspected")
                    && m.windowStart() < T0 + 11 * M).toList(), "never silent before the input ends");
            assertTrue(metrics.stream().filter(m -> m.metric().equals("heartbeat_loss")
                            && "orders-3".equals(m.labels().get("node")) && m.windowStart() >= T0 + 6 * M)
                    .allMatch(m -> m.values().get("lost") == 0 && m.values().get("received") == 12),
                    "every heartbeat counted, none lost");
        }
    }

    @Test
    void silenceIsNoticedByTheWallClockWhenNothingElseArrives() {
        // A one-node cluster stops at minute 3; nothing else is sent; only wall-clock time passes.
        List<Sent> beats = cluster(3, s -> s.event().node().equals("orders-1") ? s : null);
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            beats.forEach(b -> h.send(b.event(), b.arrival()));
            h.wallClockTo(T0 + 3 * M + 60_000);
            List<Metric> suspected = h.metrics().stream().filter(m -> m.metric().equals("heartbeat_suspected"))
                    .toList();
            assertEquals(1, suspected.size(), suspected.toString());
            assertTrue(suspected.get(0).values().get("silentMs") > 15_000, suspected.toString());
            assertEquals(List.of(), firing(h.findings(), AlertType.FALSE_DEATH), "suspected, not yet known false");
        }
    }

    @Test
    void replayingTheRecordingGivesWhatTheTopologyGaveSilenceIncluded() throws java.io.IOException {
        // orders-3 pauses for 20 s in minute 5 (a false death); orders-1 stops for good at minute 9; the input ends
        // at minute 12, and only the end of input (silence) lets the last windows and episodes close.
        long from = T0 + 5 * M + 2_000;
        List<Sent> beats = cluster(12, s -> {
            HeartbeatEvent e = s.event();
            if (e.node().equals("orders-1")) {
                return e.timestamp() < T0 + 9 * M ? s : null;
            }
            if (!e.node().equals("orders-3") || e.timestamp() < from) {
                return s;
            }
            if (e.timestamp() < from + 20_000) {
                return null;
            }
            return new Sent(with(e, e.sequence() - 4, null, null), s.arrival());
        });
        List<Alert> direct;
        List<Metric> directSuspected;
        try (FullTopology t = new FullTopology()) {
            beats.forEach(b -> t.sendRaw("heartbeats", b.event().node(),
                    io.asyncwatch.serde.Json.write(b.event()), b.arrival()));
            t.silence();
            direct = t.alerts();
            directSuspected = t.metrics().stream().filter(m -> m.metric().equals("heartbeat_suspected")).toList();
        }
        // The same heartbeats as a recording (each line keeps its record's arrival stamp), through `replay`.
        String recording = String.join("\n", beats.stream().map(b -> io.asyncwatch.replay.Recording.line(
                "heartbeats", b.arrival(), b.event().node(), b.event())).toList());
        List<Alert> replayed = new ArrayList<>();
        List<Metric> replayedSuspected = new ArrayList<>();
        io.asyncwatch.replay.Replayer.replay(io.asyncwatch.config.AsyncwatchConfig.fromMap(Map.of()),
                new java.io.BufferedReader(new java.io.StringReader(recording)),
                new io.asyncwatch.replay.Replayer.Listener() {
                    @Override
                    public void alert(Alert alert) {
                        replayed.add(alert);
                    }

                    @Override
                    public boolean wantsMetrics() {
                        return true;
                    }

                    @Override
                    public void metric(Metric metric) {
                        if (metric.metric().equals("heartbeat_suspected")) {
                            replayedSuspected.add(metric);
                        }
                    }
                });
        assertEquals(direct, replayed);
        assertEquals(directSuspected, replayedSuspected);
        // What they agree on is the scenario: the false death; both silences noticed while they lasted, and once
        // the input ends, the two nodes still sending.
        assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), direct.stream()
                .filter(a -> a.type() == AlertType.FALSE_DEATH).map(Alert::status).toList(), direct.toString());
        assertEquals(List.of("orders-3", "orders-1", "orders-2", "orders-3"), directSuspected.stream()
                .map(m -> m.labels().get("node")).toList(), directSuspected.toString());
        assertTrue(directSuspected.get(0).windowEnd() < from + 20_000, "orders-3 while paused");
        assertTrue(directSuspected.get(1).windowEnd() < T0 + 10 * M, "orders-1 long before the input ends");
    }

    @Test
    void aNodeThatRestartedIsNotAFalseDeath() {
        long from = T0 + 5 * M + 2_000;
        List<Sent> beats = cluster(12, s -> {
            HeartbeatEvent e = s.event();
            if (!e.node().equals("orders-3") || e.timestamp() < from) {
                return s;
            }
            if (e.timestamp() < from + 20_000) {
                return null;
            }
            return new Sent(with(e, (e.timestamp() - from - 20_000) / INTERVAL, null, null), s.arrival());
        });
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            List<Finding> findings = h.findings();
            assertEquals(List.of(), firing(findings, AlertType.FALSE_DEATH), "its sequence started again: it really died");
            assertTrue(h.metrics().stream().anyMatch(m -> m.metric().equals("heartbeat_loss")
                    && "orders-3".equals(m.labels().get("node")) && m.values().get("restarts") == 1.0));
        }
    }

    @Test
    void twoLeadersInOneTermIsASplitBrainThatResolvesWhenOneRemains() {
        // orders-2 also claims to lead term 4 for 30 s in minute 8.
        List<Sent> beats = cluster(20, s -> s.event().node().equals("orders-2")
                && s.event().timestamp() >= T0 + 8 * M + 10_000 && s.event().timestamp() < T0 + 8 * M + 40_000
                ? new Sent(with(s.event(), null, Role.LEADER, null), s.arrival()) : s);
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            List<Finding> findings = h.findings();
            List<Finding> split = firing(findings, AlertType.SPLIT_BRAIN);
            assertEquals(1, split.size(), split.toString());
            assertEquals(Severity.PAGE, split.get(0).severity());
            assertTrue(split.get(0).summary().startsWith("Split brain in orders-cluster: 2 nodes claim to lead"),
                    split.get(0).summary());
            assertTrue(split.get(0).evidence().contains("orders-1 and orders-2 both claim LEADER in term 4"),
                    split.get(0).evidence().toString());
        }
        try (FullTopology t = new FullTopology()) {
            beats.forEach(b -> t.sendRaw("heartbeats", b.event().node(),
                    io.asyncwatch.serde.Json.write(b.event()), b.arrival()));
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.SPLIT_BRAIN).toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), alerts.stream().map(Alert::status)
                    .toList());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("step-down")));
        }
    }

    @Test
    void twoLeadersInOneTermWhoseClocksDisagreeByAMinuteAreStillASplitBrain() {
        // The seeds' clock-skew split: orders-2's clock is 75 s behind, and it also claims term 4 for 30 s in minute
        // 8 ("I'm leader (9:59)" against "(10:00)"). Their heartbeats arrive together.
        List<Sent> beats = cluster(20, s -> {
            HeartbeatEvent e = s.event();
            if (!e.node().equals("orders-2")) {
                return s;
            }
            boolean claims = e.timestamp() >= T0 + 8 * M + 10_000 && e.timestamp() < T0 + 8 * M + 40_000;
            HeartbeatEvent behind = new HeartbeatEvent(e.eventId(), e.node(), e.cluster(), e.timestamp() - 75_000,
                    e.sequence(), claims ? Role.LEADER : e.role(), e.term(), e.intervalMs());
            return new Sent(behind, s.arrival());
        });
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, beats);
            List<Finding> split = firing(h.findings(), AlertType.SPLIT_BRAIN);
            // Judged in the windows of both holders' stamps: findings of one episode (one fingerprint).
            assertTrue(!split.isEmpty() && split.stream().allMatch(f -> f.severity() == Severity.PAGE
                    && f.fingerprint().equals("SPLIT_BRAIN{cluster=\"orders-cluster\"}")
                    && f.evidence().contains("orders-1 and orders-2 both claim LEADER in term 4")), split.toString());
        }
    }

    @Test
    void aLeaderBackFromAPauseThatStepsDownAtOnceIsNotASplitBrain() {
        // orders-1 (leader, term 4) pauses 60 s from 5:02; orders-2 is elected for term 5 at 5:30; orders-1 comes back
        // with one more LEADER heartbeat of term 4, then follows in term 5.
        long pause = T0 + 5 * M + 2_000;
        long elected = T0 + 5 * M + 30_000;
        UnaryOperator<Sent> change = s -> {
            HeartbeatEvent e = s.event();
            long t = e.timestamp();
            if (e.node().equals("orders-1") && t >= pause) {
                if (t < pause + 60_000) {
                    return null;
                }
                long seq = e.sequence() - 12;
                boolean first = t < pause + 65_000;
                return new Sent(with(e, seq, first ? Role.LEADER : Role.FOLLOWER, first ? 4L : 5L), s.arrival());
            }
            if (t >= elected) {
                return new Sent(with(e, null, e.node().equals("orders-2") ? Role.LEADER : Role.FOLLOWER, 5L),
                        s.arrival());
            }
            return s;
        };
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, cluster(12, change));
            List<Finding> findings = h.findings();
            assertEquals(List.of(), firing(findings, AlertType.SPLIT_BRAIN), "its silence is not an overlap");
            assertEquals(1, firing(findings, AlertType.FALSE_DEATH).size());
        }
    }

    @Test
    void anOldLeaderStillClaimingAfterANewTermBeganIsASplitBrainAndAQuickHandoverIsNot() {
        // From minute 6 orders-2 leads term 5; orders-1 steps down 20 s late (4 intervals).
        UnaryOperator<Sent> late = s -> {
            HeartbeatEvent e = s.event();
            long t = e.timestamp();
            if (e.node().equals("orders-2") && t >= T0 + 6 * M) {
                return new Sent(with(e, null, Role.LEADER, 5L), s.arrival());
            }
            if (e.node().equals("orders-1") && t >= T0 + 6 * M) {
                return new Sent(with(e, null, t < T0 + 6 * M + 20_000 ? Role.LEADER : Role.FOLLOWER,
                        t < T0 + 6 * M + 20_000 ? 4L : 5L), s.arrival());
            }
            if (e.node().equals("orders-3") && t >= T0 + 6 * M) {
                return new Sent(with(e, null, null, 5L), s.arrival());
            }
            return s;
        };
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, cluster(12, late));
            List<Finding> findings = h.findings();
            List<Finding> split = firing(findings, AlertType.SPLIT_BRAIN);
            assertEquals(1, split.size(), split.toString());
            assertTrue(split.get(0).evidence().get(0).startsWith("orders-1 (term 4) and orders-2 (term 5) both claim"
                    + " LEADER for "), split.get(0).evidence().toString());
        }
        // The same handover, with orders-1 stepping down at once.
        UnaryOperator<Sent> quick = s -> {
            HeartbeatEvent e = s.event();
            if (e.timestamp() >= T0 + 6 * M) {
                return new Sent(with(e, null, e.node().equals("orders-2") ? Role.LEADER : Role.FOLLOWER, 5L),
                        s.arrival());
            }
            return s;
        };
        try (DetectorHarness h = new DetectorHarness(new Heartbeats(), Map.of())) {
            send(h, cluster(12, quick));
            List<Finding> findings = h.findings();
            assertEquals(List.of(), firing(findings, AlertType.SPLIT_BRAIN));
            assertTrue(findings.stream().anyMatch(f -> f.type() == AlertType.SPLIT_BRAIN && f.isClear()),
                    "judged, and clear");
        }
    }
}
