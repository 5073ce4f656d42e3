package io.asyncwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.testing.FullTopology;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Alerts as the alert topic's consumers see them, through the whole topology. */
class RetryStormAlertsTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    /**
     * 20 calm minutes at 1000 attempts/min and 2 % retries, a storm that escalates (3x, then 10x for three
     * minutes), then 6 calm minutes. High volume, so that 3x is unmistakably not chance.
     */
    private static List<RequestEvent> escalatingStorm(Requests r) {
        List<RequestEvent> events = new ArrayList<>();
        int[] retriesPerMinute = new int[30];
        java.util.Arrays.fill(retriesPerMinute, 20);                     // 2 %
        retriesPerMinute[20] = 60;                                        // 6 %: 3x, WARN
        retriesPerMinute[21] = 200;                                       // 20 %: 10x, PAGE
        retriesPerMinute[22] = 200;
        retriesPerMinute[23] = 200;
        for (int m = 0; m < 30; m++) {
            events.addAll(r.minute("svc-order", "service", T0 + m * M, 1000, retriesPerMinute[m]));
            events.addAll(r.minute("db-orders", "database", T0 + m * M, 200, 2));
        }
        events.sort(Comparator.comparingLong(RequestEvent::timestamp));
        return events;
    }

    @Test
    void aStormFiresOnceEscalatesToPageAndResolvesOnce() {
        try (FullTopology t = new FullTopology()) {
            t.send(escalatingStorm(new Requests()));
            List<Alert> alerts = t.alerts();
            assertEquals(List.of("FIRING WARN", "FIRING PAGE", "RESOLVED PAGE"),
                    alerts.stream().map(a -> a.status() + " " + a.severity()).toList());
            Alert first = alerts.get(0);
            assertEquals(AlertType.RETRY_STORM, first.type());
            assertEquals("RETRY_STORM{service=\"svc-order\"}", first.fingerprint());
            assertEquals("svc-order", first.subject().get("service"));
            assertEquals("service", first.subject().get("layer"));
            assertEquals(T0 + 20 * M, first.windowStart());
            assertEquals(3.0, first.value(), 1e-9);
            assertEquals(2.0, first.threshold());
            assertTrue(first.summary().startsWith("Retry storm on svc-order"), first.summary());
            assertFalse(first.playbook().isEmpty());
            assertTrue(first.evidence().stream().anyMatch(e -> e.startsWith("retry attempts: svc-order-")));
            Alert page = alerts.get(1);
            assertEquals(10.0, page.value(), 1e-9);
            assertEquals(5.0, page.threshold());
            Alert resolved = alerts.get(2);
            assertEquals(T0 + 20 * M, resolved.windowStart());
            assertEquals(T0 + 27 * M, resolved.windowEnd(), "three clear windows after the storm's last (23)");
            assertEquals(3, alerts.stream().map(Alert::alertId).distinct().count());
            assertTrue(alerts.stream().allMatch(a -> a.fingerprint().equals(first.fingerprint())));
        }
    }

    @Test
    void normalJitterFiresNothing() {
        Random random = new Random(11);
        Requests r = new Requests();
        try (FullTopology t = new FullTopology()) {
            // Two hours: the first fills the 1-hour baseline, the second is judged against it.
            for (int m = 0; m < 120; m++) {
                for (String service : List.of("svc-a", "svc-b", "svc-c")) {
                    int attempts = 280 + random.nextInt(40);
                    int retries = 0;
                    for (int i = 0; i < attempts; i++) {
                        retries += random.nextDouble() < 0.02 ? 1 : 0;
                    }
                    t.send(r.minute(service, "service", T0 + m * M, attempts, retries));
                }
            }
            assertEquals(List.of(), t.alerts());
            assertTrue(t.metrics().stream().anyMatch(x -> x.values().getOrDefault("multiplier", 0.0) >= 2.0),
                    "the jitter did reach 2x somewhere, and still nothing fired");
        }
    }

    @Test
    void aQuietServiceWithOneRetryInThreeAttemptsDoesNotPage() {
        Requests r = new Requests();
        try (FullTopology t = new FullTopology()) {
            for (int m = 0; m < 90; m++) {
                t.send(r.minute("svc-quiet", "service", T0 + m * M, 3, m % 10 == 5 ? 1 : 0));
                t.send(r.minute("svc-busy", "service", T0 + m * M, 200, 4));
            }
            assertEquals(List.of(), t.alerts());
            assertTrue(t.metrics().stream().anyMatch(x -> x.metric().equals("retry_multiplier")
                    && "svc-quiet".equals(x.labels().get("service"))
                    && x.values().get("retries") == 1 && x.attributes().get("verdict").equals("LOW_VOLUME")));
        }
    }

    @Test
    void outOfOrderWithinGraceGivesTheSameAlertsAsSortedInput() {
        List<RequestEvent> sorted = escalatingStorm(new Requests());
        List<RequestEvent> shuffled = new ArrayList<>(sorted);
        // Shuffle blocks of 200 consecutive events (~10 s of traffic): out of order, always within the 30 s grace.
        Random random = new Random(3);
        for (int from = 0; from < shuffled.size(); from += 200) {
            java.util.Collections.shuffle(shuffled.subList(from, Math.min(shuffled.size(), from + 200)), random);
        }
        assertFalse(sorted.equals(shuffled));
        List<Alert> expected;
        try (FullTopology t = new FullTopology()) {
            t.send(sorted);
            expected = t.alerts();
        }
        try (FullTopology t = new FullTopology()) {
            t.send(shuffled);
            assertEquals(expected, t.alerts());
        }
        assertEquals(3, expected.size());
        assertEquals(AlertStatus.RESOLVED, expected.get(2).status());
        assertEquals(Severity.PAGE, expected.get(2).severity());
    }

    @Test
    void aLateEventIsDeadLetteredWithTheCoordinatesOfItsInputRecord() {
        Requests r = new Requests();
        try (FullTopology t = new FullTopology()) {
            t.send(r.minute("svc-a", "service", T0, 10, 0));          // offsets 0..9
            t.send(r.minute("svc-a", "service", T0 + 2 * M, 10, 0));  // offsets 10..19
            RequestEvent late = r.attempt("svc-a", "service", T0 + 5_000, 2);
            t.send(late);                                              // offset 20, 2 minutes behind
            List<io.asyncwatch.model.DeadLetter> dead = t.deadLetters();
            assertEquals(1, dead.size());
            assertEquals("asyncwatch.requests", dead.get(0).sourceTopic());
            assertEquals(0, dead.get(0).sourcePartition());
            assertEquals(20L, dead.get(0).sourceOffset());
            assertTrue(dead.get(0).valueText().contains(late.eventId()));
        }
    }
}
