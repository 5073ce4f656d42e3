package io.asyncwatch.detect;

import io.asyncwatch.detect.amplification.LayerAmplification;
import io.asyncwatch.detect.cascade.CascadeTimeout;
import io.asyncwatch.detect.causality.Causality;
import io.asyncwatch.detect.clockskew.ClockSkew;
import io.asyncwatch.detect.concurrentwrites.ConcurrentWrites;
import io.asyncwatch.detect.heartbeats.Heartbeats;
import io.asyncwatch.detect.duplicates.DuplicateOperations;
import io.asyncwatch.detect.latency.LatencyTail;
import io.asyncwatch.detect.logicalclock.LogicalClockJumps;
import io.asyncwatch.detect.timeouts.Timeouts;
import io.asyncwatch.detect.retrystorm.RetryStorm;
import io.asyncwatch.config.AsyncwatchConfig;
import java.util.List;

/** Every detector asyncwatch runs, in topology order. */
public final class Detectors {

    private Detectors() {
    }

    public static List<Detector> all() {
        return List.of(new RetryStorm(), new DuplicateOperations(), new LatencyTail(), new Timeouts(),
                new LayerAmplification(), new CascadeTimeout(), new Causality(),
                new LogicalClockJumps(), new ConcurrentWrites(), new Heartbeats(), new ClockSkew());
    }

    /** Stages fed only by heartbeats and clock readings, which a deployment may not publish at all. */
    private static final java.util.Set<String> OPTIONAL_INPUT_STAGES = java.util.Set.of(ClockSkew.NAME,
            Heartbeats.NAME, LogicalClockJumps.NAME, LogicalClockJumps.NAME + "-drift");

    /**
     * Whether the stage task named by a tick's {@code source} ({@code clock-skew:3}) is fed only by heartbeats and
     * clock readings: without those topics its clock never starts, so a stage that waits for every upstream clock
     * must not wait for it (its points, should it start late, are late, counted).
     */
    public static boolean optionalInput(String source) {
        int colon = source.lastIndexOf(':');
        return OPTIONAL_INPUT_STAGES.contains(colon < 0 ? source : source.substring(0, colon));
    }

    /** The detectors {@code asyncwatch.detectors.disabled} leaves on, in topology order. */
    public static List<Detector> enabled(AsyncwatchConfig config) {
        DetectorSelection selection = config.settings(DetectorSelection.SPEC);
        return all().stream().filter(selection::enabled).toList();
    }
}
