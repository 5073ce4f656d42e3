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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The alert state machine: per-type resolution, escalation, re-announcement and ids, without Kafka. */
class AlertLifecycleTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final long W = 60_000;
    private static final long QUIET = 600_000;
    private static final long MAX_EPISODE = 4 * 3_600_000L;
    private static final String FP = Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", "svc-order"));
    private static final String DUP = Finding.fingerprint(AlertType.DUPLICATE_OPERATION, Map.of("service", "db"));
    private static final String TE = Finding.fingerprint(AlertType.TIMEOUT_EFFECTIVENESS, Map.of("service", "s"));

    private final AlertLifecycle lifecycle = new AlertLifecycle(
            new AlertSettings(3, QUIET, MAX_EPISODE, 7 * 86_400_000L, 100),
            Map.of(AlertType.RETRY_STORM, AlertPolicy.windowed(W, AlertPolicy.Direction.HIGHER_IS_WORSE),
                    AlertType.DUPLICATE_OPERATION, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE),
                    AlertType.TIMEOUT_EFFECTIVENESS, AlertPolicy.windowed(W, AlertPolicy.Direction.LOWER_IS_WORSE)),
            Playbooks.load());

    private static Finding finding(int minute, Severity severity, double value) {
        return of(FP, AlertType.RETRY_STORM, minute, severity, value);
    }

    private static Finding of(String fp, AlertType type, int minute, Severity severity, double value) {
        return new Finding(fp, type, severity, Map.of("service", "svc-order", "layer", "service"),
                "summary at minute " + minute, value, 2, T0 + minute * W, T0 + (minute + 1) * W,
                List.of("evidence " + minute), "test:0");
    }

    /** A finding, or the passing of event time (a Long: the type's clock) with nothing arriving. */
    private final class Run {
        Episode episode;
        final List<Alert> out = new ArrayList<>();

        Run feed(Object... steps) {
            for (Object s : steps) {
                AlertLifecycle.Step step = s instanceof Finding f ? lifecycle.onFinding(episode, f)
                        : lifecycle.onTime(episode, (Long) s);
                episode = step.episode();
                out.addAll(step.alerts());
            }
            return this;
        }

        List<String> statuses() {
            return out.stream().map(a -> a.status() + " " + a.severity()).toList();
        }
    }

    @Test
    void fingerprintIsTypeAndSortedLabels() {
        assertEquals("RETRY_STORM{layer=\"service\",service=\"svc-order\"}",
                Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", "svc-order", "layer", "service")));
    }

    @Test
    void aWindowedEpisodeFiresOnceEscalatesOnceAndResolvesAfterThreeClearWindows() {
        Run run = new Run().feed(
                finding(0, Severity.WARN, 2.5),
                finding(1, Severity.WARN, 3.0),     // same severity: nothing new
                finding(2, Severity.PAGE, 9.0),     // escalation
                finding(3, Severity.PAGE, 12.0),
                finding(4, Severity.WARN, 3.0),     // de-escalation: no new record
                finding(5, null, 1.1),
                finding(6, null, 1.0),
                finding(7, null, 0.9));             // third clear window: resolved
        assertEquals(List.of("FIRING WARN", "FIRING PAGE", "RESOLVED PAGE"), run.statuses());
        Alert resolved = run.out.get(2);
        assertEquals(T0, resolved.windowStart(), "a resolved alert spans the whole episode");
        assertEquals(T0 + 8 * W, resolved.windowEnd());
        assertTrue(resolved.summary().contains("clear for 3 consecutive windows"), resolved.summary());
        assertTrue(resolved.summary().contains("peaked at 12.00 (PAGE)"), resolved.summary());
        assertFalse(run.out.get(0).playbook().isEmpty());
        assertEquals(3, run.out.stream().map(Alert::alertId).distinct().count(), "each status change has its own id");
    }

    @Test
    void aClearWindowInTheMiddleDoesNotResolve() {
        Run run = new Run().feed(finding(0, Severity.WARN, 2.5), finding(1, null, 1.0), finding(2, null, 1.0),
                finding(3, Severity.WARN, 2.5), finding(4, null, 1.0));
        assertEquals(List.of("FIRING WARN"), run.statuses());
    }

    @Test
    void aWindowedEpisodeWhoseSubjectFallsSilentResolvesWhenItsTypesClockPassesNWindows() {
        // Silence needs one window more than a clear streak, so a subject still judged resolves by its own windows.
        Run run = new Run().feed(finding(0, Severity.PAGE, 8), T0 + 5 * W - 1);
        assertEquals(List.of("FIRING PAGE"), run.statuses(), "not yet: four windows after the last firing one");
        run.feed(T0 + 5 * W);
        assertEquals(List.of("FIRING PAGE", "RESOLVED PAGE"), run.statuses());
        assertTrue(run.out.get(1).summary().contains("nothing judged for 4 windows"), run.out.get(1).summary());
        assertEquals(T0 + 5 * W, lifecycle.deadline(run.episode) - 7 * 86_400_000L, "then remembered for a week");
    }

    @Test
    void anEventDrivenEpisodeResolvesAfterTheQuietPeriodAndNotOnClearFindings() {
        Run run = new Run().feed(of(DUP, AlertType.DUPLICATE_OPERATION, 0, Severity.ALERT, 2),
                of(DUP, AlertType.DUPLICATE_OPERATION, 3, Severity.ALERT, 5),
                of(DUP, AlertType.DUPLICATE_OPERATION, 4, null, 0), of(DUP, AlertType.DUPLICATE_OPERATION, 5, null, 0),
                of(DUP, AlertType.DUPLICATE_OPERATION, 6, null, 0), T0 + 4 * W + QUIET - 1);
        assertEquals(List.of("FIRING ALERT"), run.statuses(), "quiet counts from the last evidence (minute 3)");
        run.feed(T0 + 4 * W + QUIET);
        assertEquals(List.of("FIRING ALERT", "RESOLVED ALERT"), run.statuses());
        Alert resolved = run.out.get(1);
        assertTrue(resolved.summary().contains("no new evidence for 10 min"), resolved.summary());
        assertTrue(resolved.summary().contains("over 2 firing findings"), resolved.summary());
        assertFalse(resolved.summary().contains("window"), "no windows where there are none: " + resolved.summary());
    }

    @Test
    void aStillFiringEpisodeIsAnnouncedAgainAfterTheMaximumEpisodeLength() {
        Run run = new Run().feed(of(DUP, AlertType.DUPLICATE_OPERATION, 0, Severity.ALERT, 2));
        for (int m = 5; m < 300; m += 5) {
            run.feed(of(DUP, AlertType.DUPLICATE_OPERATION, m, Severity.ALERT, 2));
        }
        run.feed(T0 + W + MAX_EPISODE);
        assertEquals(List.of("FIRING ALERT", "FIRING ALERT"), run.statuses());
        assertTrue(run.out.get(1).summary().startsWith("STILL FIRING"), run.out.get(1).summary());
        assertNotEquals(run.out.get(0).alertId(), run.out.get(1).alertId());
    }

    @Test
    void lowerIsWorseKeepsTheLowestValueAsThePeak() {
        Run run = new Run().feed(of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 0, Severity.WARN, 0.6),
                of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 1, Severity.WARN, 0.4),
                of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 2, Severity.WARN, 0.5),
                of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 3, null, 0.9), of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 4,
                        null, 0.9),
                of(TE, AlertType.TIMEOUT_EFFECTIVENESS, 5, null, 0.9));
        Alert resolved = run.out.get(run.out.size() - 1);
        assertEquals(AlertStatus.RESOLVED, resolved.status());
        assertTrue(resolved.summary().contains("was at worst 0.40"), resolved.summary());
    }

    @Test
    void clearFindingsWithoutAnEpisodePublishNothing() {
        assertTrue(new Run().feed(finding(0, null, 1.0), finding(1, null, 1.0), finding(2, null, 1.0)).out.isEmpty());
        assertNull(lifecycle.onFinding(null, finding(0, null, 1.0)).episode(), "and remember nothing");
    }

    @Test
    void idsAreDeterministic() {
        Object[] input = {finding(0, Severity.WARN, 2.5), finding(1, null, 1), finding(2, null, 1),
                finding(3, null, 1), finding(10, Severity.WARN, 2.5)};
        assertEquals(new Run().feed(input).out, new Run().feed(input).out);
        assertEquals(AlertLifecycle.alertId(FP, 1, T0, AlertStatus.FIRING, Severity.WARN, 1),
                new Run().feed(input).out.get(0).alertId());
    }

    @Test
    void twoEpisodesNeverShareAnIdWhateverTheTimesTheirFindingsCarry() {
        // The second episode's finding is stamped with the very window that started the first (it arrived late,
        // from another partition): start, status and severity are the same, the ids must not be.
        Run run = new Run().feed(finding(5, Severity.WARN, 2.5), finding(6, null, 1), finding(7, null, 1),
                finding(8, null, 1), finding(5, Severity.WARN, 2.5), finding(6, null, 1), finding(7, null, 1),
                finding(8, null, 1));
        assertEquals(List.of("FIRING WARN", "RESOLVED WARN", "FIRING WARN", "RESOLVED WARN"), run.statuses());
        Set<String> ids = new HashSet<>();
        run.out.forEach(a -> ids.add(a.alertId()));
        assertEquals(4, ids.size(), "four alerts, four ids");
        assertEquals(run.out.get(0).windowStart(), run.out.get(2).windowStart(), "same episode start");
    }

    @Test
    void aClosedEpisodeIsForgottenAfterTheRememberSpan() {
        Run run = new Run().feed(finding(0, Severity.WARN, 2.5), T0 + 5 * W);
        assertFalse(run.episode.open());
        run.feed(T0 + 5 * W + 7 * 86_400_000L);
        assertNull(run.episode);
    }
}
