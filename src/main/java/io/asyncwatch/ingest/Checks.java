package io.asyncwatch.ingest;

import java.util.List;
import java.util.Map;

/**
 * Field checks shared by the event validators. Each returns a dead-letter reason naming the field, or
 * {@code null} when the value is acceptable. The plausibility bounds reject what no real sender produces
 * (a 1970 timestamp, a week-long latency), which would otherwise poison windows and baselines.
 */
final class Checks {

    /** 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z: outside this, a timestamp is garbage, not skew. */
    static final long MIN_PLAUSIBLE_TIME = 946_684_800_000L;
    static final long MAX_PLAUSIBLE_TIME = 4_102_444_800_000L;
    static final double ONE_DAY_MS = 86_400_000d;

    private Checks() {
    }

    static String firstProblem(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    static String required(String field, Object value) {
        return value == null ? "missing required field '" + field + "'" : null;
    }

    /** Names and ids become state keys downstream: longer than this is not a name, and would bloat state. */
    static final int MAX_TEXT = 256;

    static String text(String field, String value) {
        if (value == null) {
            return required(field, null);
        }
        if (value.isBlank()) {
            return "field '" + field + "' must not be blank";
        }
        return maxLength(field, value);
    }

    static String maxLength(String field, String value) {
        return value != null && value.length() > MAX_TEXT
                ? "field '" + field + "': " + value.length() + " characters is implausibly long (max " + MAX_TEXT + ")"
                : null;
    }

    static String timestamp(String field, Long value) {
        if (value == null) {
            return required(field, null);
        }
        if (value < MIN_PLAUSIBLE_TIME || value > MAX_PLAUSIBLE_TIME) {
            return "field '" + field + "': " + value
                    + " is not a plausible epoch-millisecond time (must be between 2000-01-01 and 2100-01-01)";
        }
        return null;
    }

    static String atLeast(String field, Number value, long min, boolean required) {
        if (value == null) {
            return required ? required(field, null) : null;
        }
        return value.longValue() < min ? "field '" + field + "' must be >= " + min + ", got " + value : null;
    }

    static String atMost(String field, Number value, long max) {
        return value != null && value.longValue() > max
                ? "field '" + field + "': " + value + " is implausibly large (max " + max + ")" : null;
    }

    static String duration(String field, Double value, boolean required) {
        if (value == null) {
            return required ? required(field, null) : null;
        }
        if (!Double.isFinite(value) || value < 0) {
            return "field '" + field + "' must be a finite number >= 0, got " + value;
        }
        return value > ONE_DAY_MS ? "field '" + field + "': " + value + " ms is implausibly large (max one day)" : null;
    }

    static String finite(String field, Double value, boolean required, double maxAbs) {
        if (value == null) {
            return required ? required(field, null) : null;
        }
        if (!Double.isFinite(value)) {
            return "field '" + field + "' must be a finite number, got " + value;
        }
        return Math.abs(value) > maxAbs ? "field '" + field + "': " + value + " is implausibly large (max "
                + maxAbs + " in absolute value)" : null;
    }

    static String vectorClock(String field, Map<String, Long> clock) {
        if (clock == null) {
            return null;
        }
        for (Map.Entry<String, Long> e : clock.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                return "field '" + field + "." + e.getKey() + "' must be a number >= 0, got " + e.getValue();
            }
        }
        return null;
    }

    static String noNulls(String field, List<String> values) {
        if (values != null && values.stream().anyMatch(v -> v == null || v.isBlank())) {
            return "field '" + field + "' must not contain null or blank entries";
        }
        return null;
    }
}
