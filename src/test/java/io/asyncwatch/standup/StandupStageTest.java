package io.asyncwatch.standup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The standup stage alone: detector points, alerts and upstream clock ticks in, summaries out. Periods are published
 * once the slowest upstream clock has passed their end by the settle time, so the same inputs in any interleaving
 * give the same summaries; a point that comes after its summary is counted and goes into the next ones.
 */
class StandupStageTest {

    private static final long M = 60_000L;
    private static final long T0 = Instant.parse("2023-11-15T00:00:00Z").toEpochMilli();
    private static final AsyncwatchConfig CONFIG = AsyncwatchConfig.fromMap(Map.of(
            "asyncwatch.standup.period-ms", "3600000",
            "asyncwatch.standup.rolling-every-ms", "600000",
            "asyncwatch.standup.bucket-ms", "60000",
            "asyncwatch.standup.settle-ms", "300000",
            "asyncwatch.standup.daily-hour-utc", "1",
            "asyncwatch.standup.warmup-ms", "5000"));

    private TopologyTestDriver driver;
    private TestInputTopic<String, StandupFact> in;
    private TestOutputTopic<String, StandupSummary> out;

    @BeforeEach
    void start() {
        StreamsBuilder b = new StreamsBuilder();
        Topics topics = Topics.from(CONFIG);
        b.stream("facts", Consumed.with(Serdes.String(), StandupFact.SERDE))
                .process(new StandupProcessor.Supplier(CONFIG.settings(StandupSettings.SPEC),
                        new Summaries.Thresholds(100, 200), new Summaries.Sources(true, true, true),
                        StoreMode.REPLAY))
                .to("standup", Produced.with(Serdes.String(), topics.standup().valueSerde()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "standup-stage-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(b.build(), p, Instant.ofEpochMilli(T0));
        in = driver.createInputTopic("facts", Serdes.String().serializer(), StandupFact.SERDE.serializer());
        out = driver.createOutputTopic("standup", Serdes.String().deserializer(),
                topics.standup().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Both upstream tasks announce themselves, and the wall clock passes the stage's warm-up for learning them. */
    private void warmUp(long time) {
        tick("a", time);
        tick("b", time);
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        tick("a", time);
        tick("b", time);
    }

    private void tick(String source, long time) {
        in.pipeInput("", StandupFact.tick(source, time), time);
    }

    private static StandupFact retries(long windowStart, long attempts, long retries) {
        return StandupFact.metric(new Metric("retry_multiplier", Map.of("service", "svc-order"), windowStart,
                windowStart + M, Map.of("attempts", (double) attempts, "retries", (double) retries,
                        "retriesSucceeded", (double) retries, "retriesTimedOut", 0.0), Map.of()));
    }

    private static StandupFact skew(long windowStart, double fromMedianMs) {
        return StandupFact.metric(new Metric("clock_offset", Map.of("cluster", "users-cluster", "node", "users-2"),
                windowStart, windowStart + M, Map.of("fromMedianMs", fromMedianMs), Map.of()));
    }

    private void fact(StandupFact f) {
        in.pipeInput("", f, f.time());
    }

    @Test
    void aPeriodIsPublishedOnceTheSlowestUpstreamClockIsPastItsEndBySettle() {
        warmUp(T0);
        fact(retries(T0 + 2 * M, 1_000, 40));
        fact(skew(T0 + 3 * M, 150));
        tick("a", T0 + 16 * M);
        tick("b", T0 + 14 * M);
        assertTrue(out.isEmpty(), "b's clock (00:14) is less than settle (5 min) past 00:10");
        tick("b", T0 + 15 * M);
        List<StandupSummary> s = out.readValuesToList();
        assertEquals(1, s.size());
        StandupSummary sum = s.get(0);
        assertEquals(StandupKind.ROLLING, sum.kind());
        assertEquals(T0 + 10 * M - 3_600_000L, sum.periodStart());
        assertEquals(T0 + 10 * M, sum.periodEnd());
        assertEquals(40, sum.retryLoops().total());
        assertEquals(1_000, sum.retryLoops().attempts());
        assertEquals(150.0, sum.clockSkew().maxMs());
        assertEquals(StandupSummary.StandupStatus.WARNING, sum.status());
    }

    @Test
    void theClockWaitsForTheWarmUpAndForATaskWhoseOwnClockHasNotStarted() {
        tick("a:0", T0);
        // Announced, without a clock of their own: a clock-skew task (no clock readings may ever come) and another.
        in.pipeInput("", StandupFact.tick("clock-skew:0", io.asyncwatch.time.Watermarks.NONE), T0);
        in.pipeInput("", StandupFact.tick("b:0", io.asyncwatch.time.Watermarks.NONE), T0);
        fact(retries(T0 + 2 * M, 1_000, 40));
        tick("a:0", T0 + 20 * M);
        assertTrue(out.isEmpty(), "still warming up");
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        tick("a:0", T0 + 21 * M);
        assertTrue(out.isEmpty(), "b has not started: its points may still come");
        tick("b:0", T0 + 21 * M);
        assertEquals(T0 + 10 * M, out.readValuesToList().get(0).periodEnd(),
                "b started; the clock-skew task, fed only by clock readings and heartbeats, does not hold it");
    }

    @Test
    void aPointAfterItsSummaryIsCountedLateAndGoesIntoTheNextOnes() {
        warmUp(T0);
        fact(retries(T0 + 2 * M, 1_000, 40));
        tick("a", T0 + 15 * M);
        tick("b", T0 + 15 * M);
        assertEquals(40, out.readValuesToList().get(0).retryLoops().total());
        fact(retries(T0 + 5 * M, 500, 10)); // its window was in the summary just published
        tick("a", T0 + 25 * M);
        tick("b", T0 + 25 * M);
        StandupSummary next = out.readValuesToList().get(0);
        assertEquals(T0 + 20 * M, next.periodEnd());
        assertEquals(1, next.lateFacts());
        assertEquals(50, next.retryLoops().total(), "the late point counts in the summaries still to come");
    }

    @Test
    void theDailySummaryComesAtItsHourWithTheRollingOneOfTheSameBoundary() {
        warmUp(T0 + 50 * M);
        fact(retries(T0 + 52 * M, 1_000, 40));
        in.pipeInput("", StandupFact.alert(new StandupFact.AlertFact("RETRY_STORM{service=\"svc-order\"}",
                AlertType.RETRY_STORM, Severity.PAGE, AlertStatus.FIRING), T0 + 53 * M), T0 + 53 * M);
        tick("a", T0 + 66 * M);
        tick("b", T0 + 66 * M);
        List<StandupSummary> s = out.readValuesToList();
        assertEquals(List.of(StandupKind.DAILY, StandupKind.ROLLING), s.stream().map(StandupSummary::kind).toList());
        assertEquals(T0 + 60 * M, s.get(0).periodEnd(), "01:00 UTC, the configured daily hour");
        assertEquals(s.get(0).retryLoops(), s.get(1).retryLoops());
        assertEquals(1, s.get(0).retryLoops().storms());
        assertEquals(StandupSummary.StandupStatus.CRITICAL, s.get(0).retryLoops().status(), "the storm paged");
    }

    @Test
    void theSameInputsInAnotherInterleavingGiveTheSameSummaries() {
        List<StandupSummary> first = play(false);
        stop();
        start();
        List<StandupSummary> second = play(true);
        assertEquals(first, second);
        assertEquals(3, first.size());
        assertTrue(first.stream().allMatch(x -> x.alerts().fired() == 1 && x.lateFacts() == 0), first.toString());
    }

    /**
     * Two upstream tasks, each in its own order, in runs of ten minutes (twice the settle time), one of them raising an
     * alert; only how the runs interleave differs.
     */
    private List<StandupSummary> play(boolean bFirst) {
        warmUp(T0);
        List<Runnable> a = new ArrayList<>();
        List<Runnable> b = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            long t = T0 + m * M;
            int n = m;
            a.add(() -> fact(retries(t, 100, n % 7)));
            a.add(() -> tick("a", t + M + 30_000));
            b.add(() -> fact(skew(t, 20 + n)));
            if (m == 3) {
                b.add(() -> in.pipeInput("", StandupFact.alert(new StandupFact.AlertFact(
                        "CLOCK_SKEW{node=\"users-2\"}", AlertType.CLOCK_SKEW, Severity.WARN, AlertStatus.FIRING),
                        t + 30_000), t + 30_000));
            }
            b.add(() -> tick("b", t + M + 30_000));
        }
        List<Runnable> order = new ArrayList<>();
        List<Runnable> one = bFirst ? b : a;
        List<Runnable> two = bFirst ? a : b;
        for (int i = 0, j = 0; i < one.size() || j < two.size(); i += 20, j += 20) {
            order.addAll(one.subList(Math.min(i, one.size()), Math.min(i + 20, one.size())));
            order.addAll(two.subList(Math.min(j, two.size()), Math.min(j + 20, two.size())));
        }
        order.forEach(Runnable::run);
        return out.readValuesToList();
    }

    @Test
    void aClockThatLeapsAheadPublishesThePeriodsWithPointsNotOnePerEmptyHour() {
        warmUp(T0);
        fact(retries(T0 + 2 * M, 1_000, 40));
        tick("a", T0 + 30L * 24 * 60 * M);
        tick("b", T0 + 30L * 24 * 60 * M);
        List<StandupSummary> s = out.readValuesToList();
        assertEquals(7, s.size(), "00:10 to 01:00: the rolling periods of an hour that hold minute 2, and the daily"
                + " one at 01:00");
        assertEquals(1, s.stream().filter(x -> x.kind() == StandupKind.DAILY).count());
        assertTrue(s.stream().allMatch(x -> x.retryLoops().total() == 40), s.toString());
        tick("a", T0 + 31L * 24 * 60 * M);
        tick("b", T0 + 31L * 24 * 60 * M);
        assertTrue(out.isEmpty(), "nothing left to summarise");
    }
}
