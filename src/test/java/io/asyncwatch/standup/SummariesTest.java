package io.asyncwatch.standup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.SkewTrend;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.model.StandupSummary.StandupStatus;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The standup's answers from buckets of detector points: the seeds' three boxes, with their statuses. */
class SummariesTest {

    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_700_006_400_000L; // 2023-11-15T00:00Z
    private static final long BUCKET = 600_000L;
    private static final StandupSettings S = AsyncwatchConfig.fromMap(Map.of()).settings(StandupSettings.SPEC);
    private static final Summaries.Thresholds T = new Summaries.Thresholds(100, 200);
    private static final Summaries.Sources ALL = new Summaries.Sources(true, true, true);

    private final NavigableMap<Long, Bucket> buckets = new TreeMap<>();

    private Bucket at(int bucket) {
        return buckets.computeIfAbsent(T0 + bucket * BUCKET, k -> new Bucket());
    }

    private void skew(int bucket, String node, double fromMedianMs) {
        long w = T0 + bucket * BUCKET;
        at(bucket).add(new Metric("clock_offset", Map.of("cluster", "users-cluster", "node", node), w, w + 60_000,
                Map.of("offsetMs", fromMedianMs + 5, "fromMedianMs", fromMedianMs), Map.of()), 1000);
    }

    private void retries(int bucket, long attempts, long retries, long succeeded, long timedOut) {
        long w = T0 + bucket * BUCKET;
        at(bucket).add(new Metric("retry_multiplier", Map.of("service", "svc-order"), w, w + 60_000,
                Map.of("attempts", (double) attempts, "retries", (double) retries, "retriesSucceeded",
                        (double) succeeded, "retriesTimedOut", (double) timedOut), Map.of()), 1000);
    }

    private void conflicts(int bucket, long vector, long possible, String top, String resolution) {
        long w = T0 + bucket * BUCKET;
        at(bucket).add(new Metric("concurrent_writes", Map.of(), w, w + 60_000, Map.of("conflicts",
                (double) (vector + possible), "vectorConflicts", (double) vector, "possibleConflicts",
                (double) possible), Map.of("topEntities", top, "resolution", resolution)), 1000);
    }

    private void fired(int bucket, String fingerprint, Severity severity) {
        AlertType type = AlertType.valueOf(fingerprint.substring(0, fingerprint.indexOf('{')));
        at(bucket).add(new StandupFact.AlertFact(fingerprint, type, severity, AlertStatus.FIRING), 1000);
    }

    private StandupSummary summary() {
        return summary(ALL);
    }

    private StandupSummary summary(Summaries.Sources sources) {
        return Summaries.summarize(StandupKind.ROLLING, T0, T0 + DAY, buckets, S, T, sources, 0);
    }

    @Test
    void theSeedsMorningCheckSkewIsTheLargestOffsetFromTheMedianAndItsTrend() {
        skew(0, "users-1", 20);
        skew(0, "users-2", 60);
        skew(10, "users-2", 120);
        skew(20, "users-2", 187);
        skew(30, "users-1", -47);
        skew(30, "users-2", 12);
        StandupSummary.ClockSkewAnswer a = summary().clockSkew();
        assertEquals(187.0, a.maxMs());
        assertEquals("users-2", a.maxNode());
        assertEquals("users-cluster", a.maxCluster());
        assertEquals(47.0, a.currentMs(), "the latest window's largest offset, whatever its sign");
        assertEquals("users-1", a.currentNode());
        assertEquals(2, a.nodes());
        assertEquals(StandupStatus.WARNING, a.status(), "187 ms is beyond the WARN offset (100), not ALERT (200)");
    }

    @Test
    void skewBeyondTheAlertOffsetIsCriticalAndWithinTheWarnOffsetOk() {
        skew(0, "users-2", 250);
        assertEquals(StandupStatus.CRITICAL, summary().clockSkew().status());
        buckets.clear();
        skew(0, "users-2", 99);
        assertEquals(StandupStatus.OK, summary().clockSkew().status());
    }

    @Test
    void trendFollowsTheSlopeOfEachBucketsLargestOffset() {
        skew(0, "n", 20);
        skew(1, "n", 40);
        skew(2, "n", 60);
        assertEquals(SkewTrend.WORSENING, summary().clockSkew().trend());
        buckets.clear();
        skew(0, "n", 60);
        skew(1, "n", 40);
        skew(2, "n", 20);
        assertEquals(SkewTrend.IMPROVING, summary().clockSkew().trend());
        buckets.clear();
        skew(0, "n", 40);
        skew(1, "n", 44);
        skew(2, "n", 38);
        assertEquals(SkewTrend.STEADY, summary().clockSkew().trend(), "moves of less than 10 ms are steady");
        buckets.clear();
        skew(0, "n", 20);
        skew(5, "n", 80);
        assertEquals(SkewTrend.UNKNOWN, summary().clockSkew().trend(), "two points are no trend");
    }

    @Test
    void noClockReadingsIsNoDataNotAllClear() {
        retries(0, 100, 0, 0, 0);
        StandupSummary s = summary();
        assertEquals(StandupStatus.NO_DATA, s.clockSkew().status());
        assertNull(s.clockSkew().maxMs());
        assertEquals(StandupStatus.OK, s.status(), "the answered questions decide the overall status");
    }

    @Test
    void retryLoopsCountRetriesByOutcomeAndAStormMakesThemAWarning() {
        retries(0, 50_000, 1_000, 950, 40);
        retries(3, 40_000, 247, 230, 10);
        StandupSummary.RetryLoopsAnswer a = summary().retryLoops();
        assertEquals(1_247, a.total());
        assertEquals(1_180, a.successful());
        assertEquals(0.9463, a.successShare(), 1e-9);
        assertEquals(50, a.timedOut());
        assertEquals(90_000, a.attempts());
        assertEquals(StandupStatus.OK, a.status(), "94.6% of retries worked and no storm");

        fired(3, "RETRY_STORM{service=\"svc-order\"}", Severity.WARN);
        fired(4, "RETRY_STORM{service=\"svc-order\"}", Severity.ALERT);
        fired(4, "RETRY_STORM{service=\"api-gateway\"}", Severity.WARN);
        a = summary().retryLoops();
        assertEquals(2, a.storms(), "episodes, not alerts");
        assertEquals(List.of("api-gateway", "svc-order"), a.stormServices());
        assertEquals(StandupStatus.WARNING, a.status());

        fired(5, "RETRY_STORM{service=\"svc-order\"}", Severity.PAGE);
        assertEquals(StandupStatus.CRITICAL, summary().retryLoops().status(), "a storm that paged");
    }

    @Test
    void fewSuccessfulRetriesAreAWarningAndNoTrafficNoData() {
        retries(0, 1_000, 100, 60, 30);
        assertEquals(StandupStatus.WARNING, summary().retryLoops().status(), "60% of retries worked, below 90%");
        buckets.clear();
        skew(0, "n", 5);
        assertEquals(StandupStatus.NO_DATA, summary().retryLoops().status());
        assertNull(summary().retryLoops().successShare());
    }

    @Test
    void concurrentWritesNameTheEntitiesAndTheMostWorkTheirResolutionNeeds() {
        conflicts(0, 0, 0, "", "");
        assertEquals(StandupStatus.OK, summary().concurrentWrites().status());
        conflicts(1, 0, 3, "Order[7] (3)", "Last-writer-wins");
        assertEquals(StandupStatus.WARNING, summary().concurrentWrites().status(), "possible conflicts only");
        conflicts(2, 9, 0, "User[42] (6), Order[1337] (3)", "Manual needed");
        conflicts(4, 5, 0, "Order[1337] (5)", "CRDT merge");
        StandupSummary.ConcurrentWritesAnswer a = summary().concurrentWrites();
        assertEquals(17, a.conflicts());
        assertEquals(14, a.vectorConflicts());
        assertEquals(3, a.possibleConflicts());
        assertEquals(List.of("Order[1337] (8)", "User[42] (6)", "Order[7] (3)"), a.entities());
        assertEquals("Manual needed", a.resolution());
        assertEquals(StandupStatus.CRITICAL, a.status(), "concurrent vector clocks that need a person");
    }

    @Test
    void withoutTheConcurrentWriteDetectorTheAnswerIsNoDataNotZero() {
        assertEquals(StandupStatus.OK, summary().concurrentWrites().status(), "on, and nothing published: zero");
        assertEquals(StandupStatus.NO_DATA, summary(new Summaries.Sources(true, false, true)).concurrentWrites()
                .status());
    }

    @Test
    void causalityCountsTheViolationsPerNodeAgainstATargetOfZero() {
        long w = T0;
        // As the detector publishes them: a node's count holds its business-order violations too, so the per-rule
        // point is not added again.
        at(0).add(new Metric("causal_links", Map.of("node", "svc-payment-3"), w, w + 60_000,
                Map.of("violations", 10.0, "effects", 30.0), Map.of()), 1000);
        at(1).add(new Metric("causal_links", Map.of("node", "svc-payment-1"), w, w + 60_000,
                Map.of("violations", 5.0), Map.of()), 1000);
        at(1).add(new Metric("causal_links", Map.of("node", "svc-quiet"), w, w + 60_000,
                Map.of("violations", 0.0, "effects", 7.0), Map.of()), 1000);
        at(1).add(new Metric("causality_business_order", Map.of("order", "order>pay"), w, w + 60_000,
                Map.of("violations", 5.0), Map.of()), 1000);
        StandupSummary.CausalityAnswer a = summary().causality();
        assertEquals(15, a.violations());
        assertEquals(List.of("svc-payment-3 (10)", "svc-payment-1 (5)"), a.nodes());
        assertEquals(StandupStatus.WARNING, a.status());
        fired(2, "CAUSALITY_VIOLATION{node=\"svc-payment-3\"}", Severity.PAGE);
        assertEquals(StandupStatus.CRITICAL, summary().causality().status());
    }

    @Test
    void aPageInThePeriodIsCriticalEvenWhenItsCountsFellInTheOneBefore() {
        fired(0, "RETRY_STORM{service=\"svc-order\"}", Severity.PAGE);
        fired(0, "CAUSALITY_VIOLATION{node=\"svc-payment-3\"}", Severity.PAGE);
        StandupSummary s = summary();
        assertEquals(StandupStatus.CRITICAL, s.retryLoops().status(), "no attempts counted here, but it paged");
        assertEquals(StandupStatus.CRITICAL, s.causality().status());
    }

    @Test
    void skewEstimatedFromHeartbeatsIsNotAMeasurement() {
        at(0).add(new Metric("clock_offset", Map.of("cluster", "c", "node", "silent-node"), T0, T0 + 60_000,
                Map.of("fromMedianMs", 900.0), Map.of("basis", "heartbeats")), 1000);
        skew(0, "users-2", 20);
        assertEquals(20.0, summary().clockSkew().maxMs());
        assertEquals(StandupStatus.OK, summary().clockSkew().status());
    }

    @Test
    void alertsOfThePeriodAreEpisodesAtTheirHighestSeverityMostSevereFirst() {
        fired(0, "CLOCK_SKEW{cluster=\"users-cluster\",node=\"users-2\"}", Severity.ALERT);
        fired(1, "RETRY_STORM{service=\"svc-order\"}", Severity.WARN);
        fired(2, "RETRY_STORM{service=\"svc-order\"}", Severity.PAGE);
        at(3).add(new StandupFact.AlertFact("LATENCY_TAIL{service=\"svc-search\"}", AlertType.LATENCY_TAIL,
                Severity.ALERT, AlertStatus.RESOLVED), 1000);
        StandupSummary.AlertsAnswer a = summary().alerts();
        assertEquals(2, a.fired(), "a RESOLVED alert did not fire in the period");
        assertEquals(Map.of("PAGE", 1, "ALERT", 1), a.bySeverity());
        assertEquals(Map.of("RETRY_STORM", 1, "CLOCK_SKEW", 1), a.byType());
        assertEquals(List.of("PAGE RETRY_STORM{service=\"svc-order\"}",
                "ALERT CLOCK_SKEW{cluster=\"users-cluster\",node=\"users-2\"}"), a.fingerprints());
    }

    @Test
    void theOverallStatusIsTheWorstAnswerAndTheAdviceNamesTheBoxesToFix() {
        skew(0, "users-2", 187);
        retries(0, 1_000, 10, 10, 0);
        StandupSummary s = summary();
        assertEquals(StandupStatus.WARNING, s.status());
        assertEquals("If any box shows ⚠ or 🚨, fix it TODAY: clock skew.", s.advice());
        buckets.clear();
        skew(0, "users-2", 20);
        retries(0, 1_000, 10, 10, 0);
        assertEquals(StandupStatus.OK, summary().status());
        assertEquals("All clear: nothing to fix today.", summary().advice());
        buckets.clear();
        assertEquals(StandupStatus.NO_DATA, summary(new Summaries.Sources(false, false, false)).status());
    }

    @Test
    void aBucketSurvivesItsStoreEncoding() {
        skew(0, "users-2", 187);
        retries(0, 1_000, 100, 95, 3);
        conflicts(0, 2, 1, "User[42] (3)", "Manual needed");
        fired(0, "RETRY_STORM{service=\"svc-order\"}", Severity.PAGE);
        StandupSummary before = summary();
        buckets.put(T0, Bucket.fromBytes(at(0).toBytes()));
        assertEquals(before, summary());
        assertTrue(before.concurrentWrites().entities().contains("User[42] (3)"));
    }

    @Test
    void namesBeyondTheCapAreCountedNotKeptButStillCountInTheAnswers() {
        Bucket b = new Bucket();
        for (int i = 0; i < 5; i++) {
            b.add(new Metric("clock_offset", Map.of("cluster", "c", "node", "n" + i), T0, T0 + 60_000,
                    Map.of("fromMedianMs", i == 4 ? 600.0 : 10.0), Map.of()), 3);
        }
        b.add(new StandupFact.AlertFact("A{x=\"1\"}", AlertType.RETRY_STORM, Severity.WARN, AlertStatus.FIRING), 1);
        b.add(new StandupFact.AlertFact("RETRY_STORM{service=\"b\"}", AlertType.RETRY_STORM, Severity.PAGE,
                AlertStatus.FIRING), 1);
        assertEquals(3, b.skewMax.size());
        assertEquals(3, b.untracked);
        buckets.put(T0, Bucket.fromBytes(b.toBytes()));
        StandupSummary s = summary();
        assertEquals(600.0, s.clockSkew().maxMs(), "the unnamed node's offset still counts");
        assertEquals(StandupStatus.CRITICAL, s.clockSkew().status());
        assertEquals(StandupStatus.CRITICAL, s.retryLoops().status(), "the unnamed storm paged");
        assertEquals(3, s.untracked());
    }
}
