package io.asyncwatch.detect.retrystorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.Status;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.Requests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry-storm detector alone (ingest, partial counts, judge): requests in; findings, metrics, late events out. */
class RetryStormTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private final Requests requests = new Requests();
    private final DetectorHarness harness = new DetectorHarness(new RetryStorm(), Map.of());

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private List<Finding> findingsOf(String service) {
        return harness.findings().stream().filter(f -> f.subject().get("service").equals(service)).toList();
    }

    @Test
    void everyJudgedWindowIsAFindingAndTheStormWindowFiresWithItsNumbers() {
        for (int m = 0; m < 10; m++) {
            harness.send(requests.minute("svc-a", "service", T0 + m * M, 100, 2));
        }
        harness.send(requests.minute("svc-a", "service", T0 + 10 * M, 100, 40));
        harness.send(requests.minute("svc-a", "service", T0 + 11 * M, 100, 2));
        List<Finding> out = findingsOf("svc-a");
        assertEquals(11, out.size(), "minutes 0-10 have closed (clock 11:59 > 11:00 + grace), minute 11 has not");
        assertTrue(out.subList(0, 10).stream().allMatch(Finding::isClear), "calm windows are clear findings");
        Finding f = out.get(10);
        assertEquals("RETRY_STORM{service=\"svc-a\"}", f.fingerprint());
        assertEquals(Severity.PAGE, f.severity());
        assertEquals(20.0, f.value(), 1e-9);
        assertEquals(T0 + 10 * M, f.windowStart());
        assertTrue(f.summary().contains("svc-a") && f.summary().contains("40.0% of 100 attempts"), f.summary());
        List<Metric> series = harness.metrics();
        assertEquals(11, series.size(), "one metric per closed window");
        assertEquals("NO_BASELINE", series.get(0).attributes().get("verdict"));
        assertEquals("STORM", series.get(10).attributes().get("verdict"));
        assertEquals(100.0, series.get(10).values().get("attempts"));
        assertEquals(40.0, series.get(10).values().get("retriesTimedOut"), "every retry of the helper timed out");
        assertEquals(0.0, series.get(10).values().get("retriesSucceeded"));
    }

    @Test
    void retriesAreCountedByTheirOutcomeForTheStandupsRetryLoops() {
        harness.send(requests.minute("svc-a", "service", T0, 50, 0));
        harness.send(List.of(
                requests.attempt("svc-a", "service", T0 + 1_000, 2, Status.SUCCESS),
                requests.attempt("svc-a", "service", T0 + 2_000, 3, Status.SUCCESS),
                requests.attempt("svc-a", "service", T0 + 3_000, 2, Status.TIMEOUT),
                requests.attempt("svc-a", "service", T0 + 4_000, 2, Status.ERROR),
                requests.attempt("svc-a", "service", T0 + 5_000, 1, Status.TIMEOUT)));
        harness.silence();
        Metric m = harness.metrics().get(0);
        assertEquals(T0, m.windowStart());
        assertEquals(4.0, m.values().get("retries"), "attempts 2 and later");
        assertEquals(2.0, m.values().get("retriesSucceeded"));
        assertEquals(1.0, m.values().get("retriesTimedOut"), "a first attempt that timed out is not a retry");
    }

    @Test
    void aServiceThatFallsSilentMidStormStillHasItsLastWindowJudgedByTheWallClock() {
        for (int m = 0; m < 10; m++) {
            harness.send(requests.minute("svc-a", "service", T0 + m * M, 100, 2));
        }
        harness.send(requests.minute("svc-a", "service", T0 + 10 * M, 100, 50));
        assertTrue(findingsOf("svc-a").stream().allMatch(Finding::isClear), "the storm window is still open");

        // The whole partition goes silent: only wall-clock time passes (idle allowance 10 s, grace 30 s).
        harness.wallClockTo(T0 + 11 * M + 10_000 + 31_000 + 2_000);

        List<Finding> storm = findingsOf("svc-a").stream().filter(f -> !f.isClear()).toList();
        assertEquals(1, storm.size(), "the storm window closed by silence");
        assertEquals(T0 + 10 * M, storm.get(0).windowStart());
    }

    @Test
    void eventsBeyondGraceAreDeadLetteredVerbatimAndCounted() {
        harness.send(requests.minute("svc-a", "service", T0, 50, 1));
        harness.send(requests.minute("svc-a", "service", T0 + 2 * M, 50, 1));
        RequestEvent tooLate = requests.attempt("svc-a", "service", T0 + 30_000, 2);
        harness.send(tooLate);
        harness.send(requests.minute("svc-a", "service", T0 + 3 * M, 50, 1));
        harness.silence();
        List<DeadLetter> dead = harness.deadLetters();
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).reason().contains("late event beyond the 30000 ms grace period"), dead.get(0).reason());
        assertTrue(dead.get(0).valueText().contains(tooLate.eventId()), "the original payload");
        assertEquals(tooLate.timestamp(), dead.get(0).recordTimestamp());
        List<Metric> series = harness.metrics();
        assertEquals(50.0, series.get(0).values().get("attempts"), "minute 0 does not change after it closed");
        assertEquals(1.0, series.stream().mapToDouble(m -> m.values().get("lateEvents")).sum(),
                "the late event is counted");
    }
}
