package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.model.Severity;

/**
 * The arithmetic verdict on one window.
 *
 * @param effectiveBaseline the baseline share after the floor: the denominator of the multiplier
 * @param threshold         the multiplier threshold of {@code severity} (the warn threshold when none)
 */
public record Judgement(
        double retryShare,
        double baselineShare,
        double effectiveBaseline,
        double multiplier,
        double pValue,
        Verdict verdict,
        Severity severity,
        double threshold) {
}
