package io.asyncwatch.model;

/**
 * One closed 1-minute window of one service, as the retry-storm detector judged it
 * (topic {@code asyncwatch.metrics}): the series behind the retry storm radar.
 */
public record RetryWindowMetric(
        String metric,
        String service,
        String layer,
        long windowStart,
        long windowEnd,
        long attempts,
        long retries,
        double retryShare,
        long baselineAttempts,
        double baselineShare,
        double multiplier,
        double pValue,
        Severity severity,
        String verdict,
        long lateEvents,
        long clockSuspectEvents) {

    public static final String NAME = "retry_multiplier";
}
