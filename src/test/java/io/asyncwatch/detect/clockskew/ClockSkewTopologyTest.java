package io.asyncwatch.detect.clockskew;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Role;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.FullTopology;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The clock-skew detector: offsets from the cluster's median, drift, failed syncs, and estimates from heartbeats. */
class ClockSkewTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    /** A clock reading or a heartbeat, and its record's timestamp. */
    record Event(Object event, long time, long recordTime) {
    }

    /** A node's clock: its offset from the reference in each minute, drift and whether it syncs. */
    interface Clock {
        double offset(int minute);

        default double drift(int minute) {
            return 2;
        }

        default boolean syncOk(int minute) {
            return true;
        }
    }

    /** Four nodes reading their clocks every 20 s for {@code minutes}; orders-4 behaves as {@code odd}. */
    private static List<Event> readings(int minutes, Clock odd) {
        List<Event> out = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            Clock c = n == 4 ? odd : m -> 3;
            int count = 0;
            for (int m = 0; m < minutes; m++) {
                for (long t = T0 + m * M + n * 1_000L; t < T0 + (m + 1) * M; t += 20_000) {
                    out.add(new Event(new ClockEvent("c-" + n + "-" + count++, "orders-" + n, "orders-cluster", t,
                            c.offset(m) + (n - 2), c.drift(m), c.syncOk(m), null, null), t, t + 15));
                }
            }
        }
        return out;
    }

    private static List<Event> sorted(List<Event> events) {
        List<Event> out = new ArrayList<>(events);
        out.sort(Comparator.comparingLong(Event::recordTime));
        return out;
    }

    private static void send(DetectorHarness h, List<Event> events) {
        for (Event e : sorted(events)) {
            if (e.event() instanceof ClockEvent c) {
                h.send(c);
            } else {
                h.send((HeartbeatEvent) e.event(), e.recordTime());
            }
        }
        h.silence();
    }

    private static List<Finding> firing(List<Finding> findings, AlertType type) {
        return findings.stream().filter(f -> f.type() == type && !f.isClear()).toList();
    }

    @Test
    void healthyClocksRaiseNothingAndPublishTheHeatmap() {
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, readings(5, m -> 4));
            assertEquals(List.of(), h.findings().stream().filter(f -> !f.isClear()).toList());
            List<Metric> rows = h.metrics().stream().filter(m -> m.windowStart() == T0 + 2 * M).toList();
            assertEquals(4, rows.size(), "a heatmap row per node");
            assertTrue(rows.stream().allMatch(m -> m.attributes().get("status").equals("OK")));
        }
    }

    @Test
    void aNodeFarFromItsClusterMedianIsSkewedBySeverity() {
        // orders-4 drifts away: +150 ms in minute 2, +250 in minute 3, +700 in minute 4 (the others at 2-4 ms; the
        // median of the four is 3.5 ms).
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, readings(6, m -> m == 2 ? 150 : m == 3 ? 250 : m == 4 ? 700 : 3));
            List<Finding> skew = firing(h.findings(), AlertType.CLOCK_SKEW);
            assertEquals(List.of(Severity.WARN, Severity.ALERT, Severity.PAGE),
                    skew.stream().map(Finding::severity).toList());
            assertTrue(skew.stream().allMatch(f -> f.fingerprint()
                    .equals("CLOCK_SKEW{cluster=\"orders-cluster\",node=\"orders-4\"}")));
            Finding page = skew.get(2);
            assertTrue(page.summary().startsWith("Clock skew on orders-4 (orders-cluster): +699 ms from the cluster's"
                    + " median"), page.summary());
            assertTrue(page.evidence().get(0).contains("orders-4 +699 PAGE"), page.evidence().toString());
        }
    }

    @Test
    void aNodeMinutesAheadStampsItsReadingsWithItsOwnClockAndStillPages() {
        // orders-4's clock is two minutes ahead: it stamps its readings two minutes late, as a real node does, and
        // reports the offset its sync measured. Its readings must not be held back as from the future.
        List<Event> events = new ArrayList<>();
        for (Event e : readings(5, m -> 3)) {
            ClockEvent c = (ClockEvent) e.event();
            if (c.node().equals("orders-4")) {
                long ahead = 120_000;
                c = new ClockEvent(c.eventId(), c.node(), c.cluster(), c.timestamp() + ahead, (double) ahead,
                        c.driftPpm(), c.syncOk(), null, null);
            }
            events.add(new Event(c, c.timestamp(), e.recordTime()));
        }
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            for (Event e : sorted(events)) {
                h.send((ClockEvent) e.event(), e.recordTime());
            }
            h.silence();
            List<Finding> skew = firing(h.findings(), AlertType.CLOCK_SKEW);
            assertTrue(!skew.isEmpty() && skew.stream().allMatch(f -> f.severity() == Severity.PAGE
                    && f.subject().get("node").equals("orders-4")), skew.toString());
            assertTrue(skew.get(0).summary().startsWith("Clock skew on orders-4 (orders-cluster): +119997 ms from the cluster's median"),
                    skew.get(0).summary());
        }
    }

    @Test
    void driftAndRepeatedSyncFailuresAreFindingsOfTheirOwn() {
        Clock odd = new Clock() {
            public double offset(int m) {
                return 3;
            }

            public double drift(int m) {
                return m == 1 ? 80 : 2;
            }

            public boolean syncOk(int m) {
                return m != 3;
            }
        };
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, readings(6, odd));
            List<Finding> drift = firing(h.findings(), AlertType.CLOCK_DRIFT);
            assertEquals(2, drift.size(), drift.toString());
            assertEquals("CLOCK_DRIFT{cluster=\"orders-cluster\",node=\"orders-4\"}", drift.get(0).fingerprint());
            assertEquals(80.0, drift.get(0).value());
            assertEquals("CLOCK_DRIFT{cluster=\"orders-cluster\",node=\"orders-4\",rule=\"sync-failed\"}",
                    drift.get(1).fingerprint());
            assertTrue(drift.get(1).summary().contains("3 readings with syncOk=false"), drift.get(1).summary());
        }
    }

    @Test
    void aNodeWhoseOncePerMinuteSyncsKeepFailingIsFailingToo() {
        // orders-4 reads its clock once a minute only, and every one of its syncs fails: one failure per window,
        // below the two a window needs, but two and more in a row.
        List<Event> events = new ArrayList<>();
        for (Event e : readings(6, m -> 3)) {
            ClockEvent c = (ClockEvent) e.event();
            if (!c.node().equals("orders-4")) {
                events.add(e);
            } else if ((c.timestamp() - T0) % M < 20_000) {
                events.add(new Event(new ClockEvent(c.eventId(), c.node(), c.cluster(), c.timestamp(), c.offsetMs(),
                        c.driftPpm(), false, null, null), e.time(), e.recordTime()));
            }
        }
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, events);
            List<Finding> sync = firing(h.findings(), AlertType.CLOCK_DRIFT);
            assertTrue(sync.size() >= 4, sync.toString());
            assertTrue(sync.stream().allMatch(f -> f.fingerprint()
                    .equals("CLOCK_DRIFT{cluster=\"orders-cluster\",node=\"orders-4\",rule=\"sync-failed\"}")),
                    sync.toString());
            assertTrue(sync.get(0).summary().startsWith("NTP sync failing on orders-4 (orders-cluster): 2 readings"
                    + " with syncOk=false in a row, the last in"), sync.get(0).summary());
        }
    }

    /** Five minutes of users-1..3 publishing heartbeats only, users-3 stamping them {@code ahead} ms ahead. */
    private static List<Event> heartbeatsOnly(long ahead) {
        List<Event> events = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            long seq = 0;
            for (long t = T0 + n * 700L; t < T0 + 5 * M; t += 5_000) {
                long stamped = n == 3 ? t + ahead : t;
                events.add(new Event(new HeartbeatEvent("h-" + n + "-" + seq, "users-" + n, "users-cluster", stamped,
                        seq++, n == 1 ? Role.LEADER : Role.FOLLOWER, 2L, 5_000L), stamped, t + 25));
            }
        }
        return events;
    }

    @Test
    void aNodeWithoutClockReadingsIsEstimatedFromItsHeartbeats() {
        // users-3 stamps its heartbeats 300 ms ahead (they arrive "before" they were sent).
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, heartbeatsOnly(300));
            List<Finding> skew = firing(h.findings(), AlertType.CLOCK_SKEW);
            assertTrue(skew.size() >= 4, skew.toString());
            assertTrue(skew.stream().allMatch(f -> f.severity() == Severity.WARN
                    && f.subject().get("node").equals("users-3")), "estimates are WARN at most");
            assertTrue(skew.get(0).summary().contains("estimated from its heartbeats: it stamps them 300 ms later"),
                    skew.get(0).summary());
        }
    }

    @Test
    void aNodeMinutesAheadWithHeartbeatsOnlyIsEstimatedNotHeldBack() {
        // users-3 stamps its heartbeats two minutes ahead; they arrive with the others'.
        try (DetectorHarness h = new DetectorHarness(new ClockSkew(), Map.of())) {
            send(h, heartbeatsOnly(120_000));
            List<Finding> skew = firing(h.findings(), AlertType.CLOCK_SKEW);
            assertTrue(skew.size() >= 4, skew.toString());
            assertTrue(skew.stream().allMatch(f -> f.severity() == Severity.WARN
                    && f.subject().get("node").equals("users-3")), skew.toString());
            assertTrue(skew.get(0).summary().contains("it stamps them 120000 ms later"), skew.get(0).summary());
        }
    }

    @Test
    void aSkewEpisodeResolvesOnceTheClockIsBack() {
        try (FullTopology t = new FullTopology()) {
            for (Event e : sorted(readings(12, m -> m == 3 || m == 4 ? 400 : 3))) {
                t.sendRaw("clocks", ((ClockEvent) e.event()).node(), Json.write(e.event()), e.recordTime());
            }
            t.silence();
            List<Alert> alerts = t.alerts().stream().filter(a -> a.type() == AlertType.CLOCK_SKEW).toList();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), alerts.stream().map(Alert::status)
                    .toList());
            assertEquals(Severity.ALERT, alerts.get(0).severity());
            assertTrue(alerts.get(0).playbook().stream().anyMatch(p -> p.contains("ntpq")));
        }
    }
}
