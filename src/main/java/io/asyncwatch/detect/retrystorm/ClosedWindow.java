package io.asyncwatch.detect.retrystorm;

import java.util.List;

/**
 * One window the detector has closed and judged.
 *
 * @param report     whether the alert stage needs to hear about it (a storm, or a calm window shortly after one,
 *                   which is what lets an alert resolve); calm windows of calm services are metrics only
 * @param lateEvents events that arrived after their window had closed, since the previous closed window
 */
public record ClosedWindow(
        String service,
        String layer,
        long windowStart,
        long windowEnd,
        long attempts,
        long retries,
        long clockSuspect,
        long baselineAttempts,
        long lateEvents,
        Judgement judgement,
        boolean report,
        List<String> sampleRetryIds) {
}
