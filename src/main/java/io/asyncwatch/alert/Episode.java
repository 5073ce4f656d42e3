package io.asyncwatch.alert;

import io.asyncwatch.model.Severity;

/**
 * One firing episode of one fingerprint, as the alert stage remembers it between findings.
 *
 * @param start           event time the episode started (its first firing window's start); part of every alertId
 * @param severity        highest severity announced in this episode
 * @param clearStreak     consecutive clear findings since the last firing one
 */
public record Episode(
        long start,
        Severity severity,
        double peakValue,
        long peakWindowStart,
        double threshold,
        int clearStreak,
        long lastFiringWindowEnd) {
}
