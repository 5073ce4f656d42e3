package io.asyncwatch.demo;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alert episode a scenario should cause: its type and the subject labels that identify it (a subset of the
 * alert's subject, so a detector may add labels of its own).
 */
public record ExpectedEpisode(AlertType type, Map<String, String> subject) {

    public ExpectedEpisode {
        subject = Map.copyOf(subject);
    }

    public static ExpectedEpisode of(AlertType type, String label, String value) {
        return new ExpectedEpisode(type, Map.of(label, value));
    }

    /** True for the RESOLVED alert that ends this episode. */
    public boolean resolvedBy(Alert alert) {
        return alert.status() == AlertStatus.RESOLVED && alert.type() == type && alert.subject() != null
                && alert.subject().entrySet().containsAll(subject.entrySet());
    }

    /** "RETRY_STORM{service=svc-order}" */
    @Override
    public String toString() {
        return type + new TreeMap<>(subject).toString();
    }
}
