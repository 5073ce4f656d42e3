package io.asyncwatch.standup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.demo.ConcurrentWriteConflict;
import io.asyncwatch.demo.SkewedClock;
import io.asyncwatch.demo.TimeTravel;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.demo.TrafficGenerator.Storm;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.model.StandupSummary.StandupStatus;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.FullTopology;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole topology, as {@code replay} runs it: traffic with a skewed clock, effects stamped before their causes,
 * a concurrent write and a retry storm, and the standup summaries it publishes from what the detectors found.
 */
class StandupEndToEndTest {

    private static final long T0 = Instant.parse("2023-11-14T22:00:00Z").toEpochMilli();

    private static final Plan PLAN = new Plan(T0, 40,
            List.of(new Service("svc-order", "service", "db-orders", 120, 0.02, 0.3),
                    new Service("svc-user", "service", "db-users", 60, 0.02, 0.1),
                    new Service("svc-payment", "service", "db-orders", 60, 0.03, 0.5),
                    new Service("db-orders", "database", null, 100, 0.005),
                    new Service("db-users", "database", null, 60, 0.005)),
            TrafficGenerator.twoClusters(),
            List.of(new SkewedClock("users-cluster", "users-2", 11, 12, 350),
                    new TimeTravel("svc-order", "svc-payment", "svc-payment-3", 12, 13, 2_000, 900),
                    new ConcurrentWriteConflict("svc-user", "User[42]", 16, 17),
                    new Storm("svc-order", 24, List.of(3.0, 8.0, 15.0, 12.0))),
            7L);

    @Test
    void theLatestRollingSummaryAnswersTheSeedsQuestionsFromWhatTheDetectorsFound() {
        List<StandupSummary> summaries;
        try (FullTopology top = new FullTopology(Map.of(
                "asyncwatch.standup.rolling-every-ms", "600000",
                "asyncwatch.standup.bucket-ms", "60000"))) {
            for (Iterator<Generated> it = TrafficGenerator.events(PLAN); it.hasNext(); ) {
                Generated g = it.next();
                top.sendRaw(g.topic(), g.key(), Json.write(g.event()), g.timestamp());
            }
            top.silence();
            summaries = top.standups();
        }
        assertTrue(summaries.size() >= 4, "a rolling summary every 10 minutes of event time: " + summaries.size());
        StandupSummary last = summaries.get(summaries.size() - 1);
        assertEquals(StandupKind.ROLLING, last.kind());
        assertTrue(last.periodEnd() >= T0 + 40 * 60_000L, "the last one covers the whole plan: " + last);

        assertEquals("users-2", last.clockSkew().maxNode());
        assertTrue(last.clockSkew().maxMs() >= 300, last.clockSkew().toString());
        assertEquals(StandupStatus.CRITICAL, last.clockSkew().status(), "350 ms is beyond the ALERT offset");

        assertTrue(last.retryLoops().stormServices().contains("svc-order"), last.retryLoops().toString());
        assertTrue(last.retryLoops().total() > 0 && last.retryLoops().successful() <= last.retryLoops().total());
        assertTrue(last.retryLoops().status() == StandupStatus.WARNING
                || last.retryLoops().status() == StandupStatus.CRITICAL, last.retryLoops().toString());

        assertTrue(last.concurrentWrites().vectorConflicts() > 0, last.concurrentWrites().toString());
        assertTrue(last.concurrentWrites().entities().get(0).startsWith("User[42] "),
                last.concurrentWrites().toString());
        assertEquals("Manual needed", last.concurrentWrites().resolution());

        assertTrue(last.causality().violations() > 0, last.causality().toString());
        assertTrue(last.causality().nodes().get(0).startsWith("svc-payment-3 "), last.causality().toString());

        for (String type : List.of("RETRY_STORM", "CLOCK_SKEW", "CONCURRENT_WRITE", "CAUSALITY_VIOLATION")) {
            assertTrue(last.alerts().byType().containsKey(type), type + " in " + last.alerts());
        }
        assertEquals(StandupStatus.CRITICAL, last.status());
        assertTrue(last.advice().startsWith("If any box shows ⚠ or 🚨, fix it TODAY: "), last.advice());

        // The first summary ends at 22:10, before the skewed clock (minutes 11-12): nothing to say about it.
        StandupSummary first = summaries.get(0);
        assertEquals(T0 + 10 * 60_000L, first.periodEnd());
        assertTrue(first.clockSkew().maxMs() == null || first.clockSkew().maxMs() < 100, first.clockSkew().toString());
    }
}
