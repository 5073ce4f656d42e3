package io.asyncwatch.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.testing.FullTopology;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Time that a bad clock cannot break, through the whole topology: one skewed sender is quarantined, a whole stream
 * that moves is followed, events from the past are late, and silence still closes what is open.
 */
class ClockOutlierTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;
    private static final long YEAR = 365L * 24 * 60 * M;

    /** 20 calm minutes, a storm (10x for three minutes), 6 calm minutes; svc-order and db-orders. */
    private static List<RequestEvent> storm(Requests r, long start) {
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            int retries = m >= 20 && m < 23 ? 200 : 20;
            events.addAll(r.minute("svc-order", "service", start + m * M, 1000, retries));
            events.addAll(r.minute("db-orders", "database", start + m * M, 200, 2));
        }
        events.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return events;
    }

    private static List<Alert> run(List<RequestEvent> events, List<DeadLetter> deadLetters) {
        try (FullTopology t = new FullTopology()) {
            t.send(events);
            t.silence();
            deadLetters.addAll(t.deadLetters());
            return t.alerts();
        }
    }

    @Test
    void aLoneEventAYearAheadIsQuarantinedAndTheStormIsStillSeen() {
        List<RequestEvent> events = storm(new Requests(), T0);
        List<Alert> expected = run(events, new ArrayList<>());
        assertEquals(List.of("FIRING", "RESOLVED"), expected.stream().map(a -> a.status().name()).toList());

        // Payload and record timestamp a year ahead (the sender's clock is wrong, and so is its producer's).
        RequestEvent outlier = new Requests().attempt("svc-order", "service", T0 + 10 * M + YEAR, 2);
        List<RequestEvent> withOutlier = new ArrayList<>(events);
        withOutlier.add(withOutlier.size() / 3, outlier);
        List<DeadLetter> dead = new ArrayList<>();

        assertEquals(expected, run(withOutlier, dead), "the same alerts as without the outlier");
        assertEquals(1, dead.size(), "only the outlier is dead-lettered: " + dead);
        assertTrue(dead.get(0).reason().contains("365 d ahead of the stream"), dead.get(0).reason());
        assertTrue(dead.get(0).valueText().contains(outlier.eventId()), "with its original bytes");
    }

    @Test
    void aSkewedSenderAmongHealthyOnesIsQuarantinedEventByEventWithoutBlindingTheDetector() {
        Requests r = new Requests();
        List<RequestEvent> events = storm(r, T0);
        List<Alert> expected = run(events, new ArrayList<>());
        List<RequestEvent> skewed = new ArrayList<>(events);
        // One node of db-orders lives 2 hours ahead and sends an event every 10 s.
        for (long t = T0; t < T0 + 30 * M; t += 10_000) {
            skewed.add(r.attempt("db-orders", "database", t + 120 * M, 1));
        }
        skewed.sort(Comparator.comparingLong(e -> e.timestamp() - (e.timestamp() >= T0 + 120 * M ? 120 * M : 0)));
        List<DeadLetter> dead = new ArrayList<>();
        List<Alert> alerts = run(skewed, dead);
        assertEquals(expected.stream().map(Alert::alertId).toList(), alerts.stream().map(Alert::alertId).toList());
        assertEquals(180, dead.size(), "every event of the skewed node, and nothing else");
        assertTrue(dead.stream().allMatch(d -> d.reason().contains("2 h ahead of the stream")), dead.get(0).reason());
    }

    @Test
    void aWholeStreamThatMovesADayAheadIsFollowed() {
        Requests r = new Requests();
        List<RequestEvent> events = new ArrayList<>();
        // Ten quiet minutes today, then yesterday's... no: tomorrow's backlog arrives, the whole stream a day later.
        for (int m = 0; m < 10; m++) {
            events.addAll(r.minute("svc-order", "service", T0 + m * M, 1000, 20));
        }
        events.addAll(storm(r, T0 + 24 * 60 * M));
        List<DeadLetter> dead = new ArrayList<>();
        List<Alert> alerts = run(events, dead);
        assertEquals(List.of(), dead, "nothing is quarantined or late: the jump is confirmed and followed");
        assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED), alerts.stream().map(Alert::status).toList());
        assertEquals(T0 + 24 * 60 * M + 20 * M, alerts.get(0).windowStart(), "the storm a day later is seen");
    }

    @Test
    void anEventFromLastYearIsLateAndSaysHowFarBehind() {
        Requests r = new Requests();
        List<RequestEvent> events = new ArrayList<>(storm(r, T0));
        RequestEvent old = r.attempt("svc-order", "service", T0 + 10 * M - YEAR, 2);
        events.add(events.size() / 2, old);
        List<DeadLetter> dead = new ArrayList<>();
        List<Alert> alerts = run(events, dead);
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).reason().contains("late event") && dead.get(0).reason().contains("365 d behind"),
                dead.get(0).reason());
        assertFalse(alerts.isEmpty(), "the storm is still seen");
    }

    @Test
    void aServiceThatCrashesMidStormStillGetsItsLastWindowJudgedAndItsResolved() {
        Requests r = new Requests();
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 21; m++) {
            events.addAll(r.minute("svc-order", "service", T0 + m * M, 1000, m == 20 ? 200 : 20));
        }
        // Everything stops in the middle of the storm: only wall-clock time passes.
        try (FullTopology t = new FullTopology()) {
            t.send(events);
            assertEquals(List.of(), t.alerts(), "the storm's window is still open when the input stops");
            t.silence();
            List<Alert> alerts = t.alerts();
            assertEquals(List.of(AlertStatus.FIRING, AlertStatus.RESOLVED),
                    alerts.stream().map(Alert::status).toList());
            assertEquals(T0 + 20 * M, alerts.get(0).windowStart());
            assertTrue(alerts.get(1).summary().contains("went quiet"), alerts.get(1).summary());
        }
    }
}
