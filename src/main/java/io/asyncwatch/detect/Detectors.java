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

    /** The detectors {@code asyncwatch.detectors.disabled} leaves on, in topology order. */
    public static List<Detector> enabled(AsyncwatchConfig config) {
        DetectorSelection selection = config.settings(DetectorSelection.SPEC);
        return all().stream().filter(selection::enabled).toList();
    }
}
