package io.asyncwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLifecycleTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final long W = 60_000;
    private static final String FP = Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", "svc-order"));

    private final AlertLifecycle lifecycle = new AlertLifecycle(3, Playbooks.load());

    private static Finding finding(int minute, Severity severity, double value) {
        return new Finding(FP, AlertType.RETRY_STORM, severity, Map.of("service", "svc-order", "layer", "service"),
                "summary at minute " + minute, value, severity == Severity.PAGE ? 5 : 2, T0 + minute * W,
                T0 + (minute + 1) * W, List.of("evidence " + minute));
    }

    /** Runs findings through the lifecycle as the alert stage does and collects what is published. */
    private List<Alert> run(Finding... findings) {
        Episode episode = null;
        List<Alert> out = new ArrayList<>();
        for (Finding f : findings) {
            AlertLifecycle.Step step = lifecycle.apply(episode, f);
            episode = step.episode();
            step.published().ifPresent(out::add);
        }
        return out;
    }

    @Test
    void fingerprintIsTypeAndSortedLabels() {
        assertEquals("RETRY_STORM{layer=\"service\",service=\"svc-order\"}",
                Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", "svc-order", "layer", "service")));
    }

    @Test
    void anEpisodeFiresOnceEscalatesOnceAndResolvesOnce() {
        List<Alert> alerts = run(
                finding(0, Severity.WARN, 2.5),
                finding(1, Severity.WARN, 3.0),     // same severity: nothing new
                finding(2, Severity.PAGE, 9.0),     // escalation
                finding(3, Severity.PAGE, 12.0),
                finding(4, Severity.WARN, 3.0),     // de-escalation: no new record
                finding(5, null, 1.1),
                finding(6, null, 1.0),
                finding(7, null, 0.9));             // third clear window: resolved
        assertEquals(List.of("FIRING WARN", "FIRING PAGE", "RESOLVED PAGE"),
                alerts.stream().map(a -> a.status() + " " + a.severity()).toList());
        Alert resolved = alerts.get(2);
        assertEquals(T0, resolved.windowStart(), "a resolved alert spans the whole episode");
        assertEquals(T0 + 8 * W, resolved.windowEnd());
        assertTrue(resolved.summary().contains("peaked at 12.00 (PAGE)"), resolved.summary());
        assertFalse(alerts.get(0).playbook().isEmpty());
        assertEquals(3, alerts.stream().map(Alert::alertId).distinct().count(), "each status change has its own id");
    }

    @Test
    void aClearWindowInTheMiddleDoesNotResolve() {
        List<Alert> alerts = run(
                finding(0, Severity.WARN, 2.5),
                finding(1, null, 1.0),
                finding(2, null, 1.0),
                finding(3, Severity.WARN, 2.5),  // back before the third clear window: same episode
                finding(4, null, 1.0));
        assertEquals(1, alerts.size());
    }

    @Test
    void clearFindingsWithoutAnEpisodePublishNothing() {
        assertTrue(run(finding(0, null, 1.0), finding(1, null, 1.0), finding(2, null, 1.0), finding(3, null, 1.0))
                .isEmpty());
    }

    @Test
    void idsAreDeterministicAndDifferPerEpisode() {
        List<Alert> first = run(finding(0, Severity.WARN, 2.5), finding(1, null, 1), finding(2, null, 1),
                finding(3, null, 1), finding(10, Severity.WARN, 2.5));
        List<Alert> again = run(finding(0, Severity.WARN, 2.5), finding(1, null, 1), finding(2, null, 1),
                finding(3, null, 1), finding(10, Severity.WARN, 2.5));
        assertEquals(first, again);
        assertEquals(3, first.size());
        assertNotEquals(first.get(0).alertId(), first.get(2).alertId(), "a new episode is a new alert");
        assertEquals(AlertStatus.FIRING, first.get(2).status());
        assertEquals(AlertLifecycle.alertId(FP, T0, AlertStatus.FIRING, Severity.WARN), first.get(0).alertId());
    }

    @Test
    void noEpisodeMeansNoState() {
        AlertLifecycle.Step step = lifecycle.apply(null, finding(0, null, 1.0));
        assertNull(step.episode());
        assertTrue(step.published().isEmpty());
    }
}
