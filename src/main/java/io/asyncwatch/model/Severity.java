package io.asyncwatch.model;

/** Ordered from least to most urgent: {@code compareTo} is the escalation order. */
public enum Severity {
    WARN, ALERT, PAGE;

    public boolean isAbove(Severity other) {
        return other == null || compareTo(other) > 0;
    }
}
