package io.asyncwatch.detect;

import io.asyncwatch.detect.amplification.LayerAmplification;
import io.asyncwatch.detect.cascade.CascadeTimeout;
import io.asyncwatch.detect.causality.Causality;
import io.asyncwatch.detect.duplicates.DuplicateOperations;
import io.asyncwatch.detect.latency.LatencyTail;
import io.asyncwatch.detect.logicalclock.LogicalClockJumps;
import io.asyncwatch.detect.timeouts.Timeouts;
import io.asyncwatch.detect.retrystorm.RetryStorm;
import java.util.List;

/** Every detector asyncwatch runs, in topology order. */
public final class Detectors {

    private Detectors() {
    }

    public static List<Detector> all() {
        return List.of(new RetryStorm(), new DuplicateOperations(), new LatencyTail(), new Timeouts(),
                new LayerAmplification(), new CascadeTimeout(), new Causality(),
                new LogicalClockJumps());
    }
}
