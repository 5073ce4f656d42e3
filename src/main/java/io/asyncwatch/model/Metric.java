package io.asyncwatch.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * One point of a detector's series on {@code asyncwatch.metrics}, keyed by {@link #seriesKey()}. Maps are sorted
 * so that output is byte-identical from run to run.
 */
public record Metric(
        String metric,
        Map<String, String> labels,
        long windowStart,
        long windowEnd,
        Map<String, Double> values,
        Map<String, String> attributes) {

    public Metric {
        labels = new TreeMap<>(labels);
        values = new TreeMap<>(values);
        attributes = new TreeMap<>(attributes);
    }

    /** {@code retry_multiplier{layer="service",service="svc-order"}}: the identity of the series. */
    public String seriesKey() {
        StringBuilder sb = new StringBuilder(metric).append('{');
        labels.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ",").append(k).append("=\"")
                .append(v).append('"'));
        return sb.append('}').toString();
    }
}
