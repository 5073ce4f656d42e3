package io.asyncwatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.amplification.LayerAmplification;
import io.asyncwatch.detect.cascade.CascadeTimeout;
import io.asyncwatch.detect.duplicates.DuplicateOperations;
import io.asyncwatch.detect.latency.LatencyTail;
import io.asyncwatch.detect.logicalclock.LogicalClockJumps;
import io.asyncwatch.detect.retrystorm.RetryStorm;
import io.asyncwatch.detect.timeouts.Timeouts;
import io.asyncwatch.testing.DetectorHarness;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stages that judge and feed the alert stage announce themselves (a tick without a time) before their clocks
 * start: the alert stage learns its detector tasks from their first findings or ticks, and tells the standup when every
 * alert of a period has been sent; a task it has not heard from could still send one (live, tasks start seconds apart,
 * and a stage after a re-key starts its clock only once every upstream task has ticked).
 */
class DetectorAnnouncementTest {

    private static final long WALL = 1_767_600_000_000L; // 2026-01-05T08:00:00Z

    static Stream<Arguments> judges() {
        return Stream.of(
                Arguments.of("TIMEOUT_EFFECTIVENESS", (Supplier<Detector>) Timeouts::new),
                Arguments.of("LAYER_AMPLIFICATION", (Supplier<Detector>) LayerAmplification::new),
                Arguments.of("LATENCY_TAIL", (Supplier<Detector>) LatencyTail::new),
                Arguments.of("DUPLICATE_OPERATION", (Supplier<Detector>) DuplicateOperations::new),
                Arguments.of("CASCADE_TIMEOUT", (Supplier<Detector>) CascadeTimeout::new),
                Arguments.of("LOGICAL_CLOCK_JUMP", (Supplier<Detector>) LogicalClockJumps::new),
                Arguments.of("RETRY_STORM", (Supplier<Detector>) RetryStorm::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("judges")
    void announcedBeforeAnyInput(String type, Supplier<Detector> detector) {
        try (DetectorHarness h = new DetectorHarness(detector.get(), Map.of())) {
            h.wallClockTo(WALL);
            h.wallClockTo(WALL + 5_000); // wall-clock punctuations run; no event has arrived
            List<String> ticks = h.ticks();
            assertTrue(ticks.stream().anyMatch(t -> t.startsWith(type + " ") && t.endsWith("@NONE")), ticks.toString());
            assertEquals(List.of(), h.metrics(), "an announcement is not a metric point");
            assertEquals(List.of(), h.findings());
        }
    }
}
