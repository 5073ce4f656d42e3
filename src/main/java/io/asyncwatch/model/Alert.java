package io.asyncwatch.model;

import java.util.List;
import java.util.Map;

/** An alert on {@code asyncwatch.alerts}, keyed by {@link #fingerprint}. */
public record Alert(
        String alertId,
        String fingerprint,
        AlertType type,
        Severity severity,
        AlertStatus status,
        Map<String, String> subject,
        String summary,
        double value,
        double threshold,
        long windowStart,
        long windowEnd,
        List<String> evidence,
        List<String> playbook) {
}
