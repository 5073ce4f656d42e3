package io.asyncwatch.detect.retrystorm;

import java.util.List;

/**
 * One window the detector has closed and judged.
 *
 * @param retriesSucceeded retries (attempt 2 and later) that succeeded; with {@code retriesTimedOut}, what the
 *                         standup reports as timeout-retry loops
 * @param lateEvents events of the service that arrived after their window had closed, reported in this window
 */
public record ClosedWindow(
        String service,
        String layer,
        long windowStart,
        long windowEnd,
        long attempts,
        long retries,
        long retriesSucceeded,
        long retriesTimedOut,
        long clockSuspect,
        long baselineAttempts,
        long lateEvents,
        Judgement judgement,
        List<String> sampleRetryIds) {
}
