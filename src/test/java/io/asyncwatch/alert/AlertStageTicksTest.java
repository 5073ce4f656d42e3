package io.asyncwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * The alert stage's ticks, which tell the standup that every alert of a period has been sent: they wait for the
 * detector tasks that start a little after the first one, which the stage only knows once they are heard from.
 */
class AlertStageTicksTest {

    private static final Instant WALL = Instant.parse("2026-01-05T09:00:00Z");
    private static final long T = 1_700_000_000_000L;
    private static final long WARMUP_MS = 30_000;

    /** Two detectors' findings in, the stage's ticks out as "source@time" ("NONE" for the announcement). */
    private static final class Stage implements AutoCloseable {
        private final TopologyTestDriver driver;
        private final TestInputTopic<String, Finding> a;
        private final TestInputTopic<String, Finding> b;
        private final TestOutputTopic<String, String> ticks;

        Stage(long warmupMs) {
            StreamsBuilder builder = new StreamsBuilder();
            Map<String, KStream<String, Finding>> findings = new LinkedHashMap<>();
            findings.put("a", builder.stream("a-in", Consumed.with(Serdes.String(), Finding.SERDE)));
            findings.put("b", builder.stream("b-in", Consumed.with(Serdes.String(), Finding.SERDE)));
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of());
            AlertLifecycle lifecycle = new AlertLifecycle(config.alerts(), Map.of(
                    AlertType.RETRY_STORM, AlertPolicy.windowed(60_000, AlertPolicy.Direction.HIGHER_IS_WORSE),
                    AlertType.DUPLICATE_OPERATION, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE)),
                    Playbooks.load());
            AlertStage.wire(findings, lifecycle, config.alerts(), StoreMode.IN_MEMORY, source -> false, warmupMs)
                    .filter((k, o) -> o.isTick())
                    .mapValues(o -> o.source() + "@" + (o.at() == Watermarks.NONE ? "NONE" : Long.toString(o.at())))
                    .to("ticks", Produced.with(Serdes.String(), Serdes.String()));
            driver = new TopologyTestDriver(builder.build(), new java.util.Properties(), WALL);
            a = driver.createInputTopic("a-in", new StringSerializer(), Finding.SERDE.serializer());
            b = driver.createInputTopic("b-in", new StringSerializer(), Finding.SERDE.serializer());
            ticks = driver.createOutputTopic("ticks", new StringDeserializer(), new StringDeserializer());
        }

        void tickA(long time) {
            a.pipeInput("", Finding.tick(AlertType.RETRY_STORM, "a:0", time), time);
        }

        void tickB(long time) {
            b.pipeInput("", Finding.tick(AlertType.DUPLICATE_OPERATION, "b:0", time), time);
        }

        /** A clear finding of task b, which has not ticked yet. */
        void findingB(long windowEnd) {
            b.pipeInput("DUPLICATE_OPERATION{x=\"1\"}", new Finding("DUPLICATE_OPERATION{x=\"1\"}",
                    AlertType.DUPLICATE_OPERATION, null, Map.of("x", "1"), "clear", 0, 1, windowEnd - 60_000,
                    windowEnd, List.of(), "b:0"), windowEnd);
        }

        void wallPasses(long ms) {
            driver.advanceWallClockTime(Duration.ofMillis(ms));
        }

        List<String> ticks() {
            return ticks.readValuesToList();
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    @Test
    void aDetectorTaskHeardFromWithinTheWarmUpHoldsTheFirstTick() {
        try (Stage stage = new Stage(WARMUP_MS)) {
            stage.tickA(T + 600_000);
            assertEquals(List.of("alert-stage:0@NONE"), stage.ticks(), "announced, not ticked, during the warm-up");
            stage.wallPasses(10_000);
            stage.tickB(T); // starts 10 s of wall time after a, far behind it in event time
            stage.wallPasses(WARMUP_MS - 10_000 - 1);
            stage.tickA(T + 610_000);
            assertEquals(List.of(), stage.ticks(), "1 ms before the warm-up's end");
            stage.wallPasses(1);
            stage.tickA(T + 620_000);
            assertEquals(List.of("alert-stage:0@" + T), stage.ticks(), "the slowest task's clock, b's");
            stage.tickB(T + 600_000);
            assertEquals(List.of("alert-stage:0@" + (T + 600_000)), stage.ticks());
        }
    }

    @Test
    void aTaskHeardFromOnlyThroughFindingsHoldsTheTickUntilItTicks() {
        // Its findings do not say that nothing earlier will follow (they start no clock); its first tick does.
        try (Stage stage = new Stage(0)) {
            stage.tickA(T + 600_000);
            assertEquals(List.of("alert-stage:0@" + (T + 600_000)), stage.ticks());
            stage.findingB(T + 700_000);
            stage.tickA(T + 620_000);
            assertEquals(List.of(), stage.ticks(), "b has not ticked: it holds the stage's clock");
            stage.tickB(T + 650_000);
            assertEquals(List.of("alert-stage:0@" + (T + 620_000)), stage.ticks(), "the slowest task's clock, a's");
        }
    }

    @Test
    void withoutAWarmUpTheFirstTaskHeardFromSetsTheFirstTick() {
        // What the warm-up is for: ticked at a's clock, b's alerts before it would come after the tick.
        try (Stage stage = new Stage(0)) {
            stage.tickA(T + 600_000);
            assertEquals(List.of("alert-stage:0@" + (T + 600_000)), stage.ticks());
            stage.tickB(T);
            stage.tickA(T + 620_000);
            assertEquals(List.of(), stage.ticks(), "b now holds the stage's clock, but the tick was sent");
        }
    }
}
