package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The alert state machine, shared by every detector. Pure: given the episode so far and a finding, it returns
 * the new episode and at most one alert to publish.
 *
 * <ul>
 *   <li>a firing finding with no episode opens one and publishes FIRING;</li>
 *   <li>a firing finding of higher severity than announced publishes FIRING again at the new severity (lower or
 *       equal severity publishes nothing: the episode is already known);</li>
 *   <li>{@code resolveAfter} consecutive clear findings publish RESOLVED and close the episode.</li>
 * </ul>
 * alertId = hash(fingerprint, episode start, status, severity): the same input always yields the same ids, and
 * every episode and status change has its own.
 */
public final class AlertLifecycle {

    public record Step(Episode episode, Alert alert) {
        public Optional<Alert> published() {
            return Optional.ofNullable(alert);
        }
    }

    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private final int resolveAfter;
    private final Playbooks playbooks;

    public AlertLifecycle(int resolveAfter, Playbooks playbooks) {
        this.resolveAfter = resolveAfter;
        this.playbooks = playbooks;
    }

    public Step apply(Episode episode, Finding f) {
        if (!f.isClear()) {
            if (episode == null) {
                Episode opened = new Episode(f.windowStart(), f.severity(), f.value(), f.windowStart(), f.threshold(),
                        0, f.windowEnd());
                return new Step(opened, firing(f, opened));
            }
            boolean peak = f.value() > episode.peakValue();
            boolean escalates = f.severity().isAbove(episode.severity());
            Episode next = new Episode(episode.start(),
                    escalates ? f.severity() : episode.severity(),
                    peak ? f.value() : episode.peakValue(),
                    peak ? f.windowStart() : episode.peakWindowStart(),
                    escalates ? f.threshold() : episode.threshold(),
                    0, Math.max(episode.lastFiringWindowEnd(), f.windowEnd()));
            return new Step(next, escalates ? firing(f, next) : null);
        }
        if (episode == null) {
            return new Step(null, null);
        }
        int streak = episode.clearStreak() + 1;
        if (streak < resolveAfter) {
            return new Step(new Episode(episode.start(), episode.severity(), episode.peakValue(),
                    episode.peakWindowStart(), episode.threshold(), streak, episode.lastFiringWindowEnd()), null);
        }
        return new Step(null, resolved(f, episode, streak));
    }

    private Alert firing(Finding f, Episode e) {
        return new Alert(alertId(f.fingerprint(), e.start(), AlertStatus.FIRING, f.severity()), f.fingerprint(),
                f.type(), f.severity(), AlertStatus.FIRING, new TreeMap<>(f.subject()), f.summary(), f.value(),
                f.threshold(), f.windowStart(), f.windowEnd(), f.evidence(), playbooks.steps(f.type()));
    }

    private Alert resolved(Finding f, Episode e, int streak) {
        String summary = "RESOLVED " + f.type() + " " + subjectText(f) + ": clear for " + streak
                + " consecutive windows; episode " + HHMM.format(Instant.ofEpochMilli(e.start())) + " to "
                + HHMM.format(Instant.ofEpochMilli(f.windowEnd())) + " UTC peaked at " + format(e.peakValue())
                + " (" + e.severity() + "), now " + format(f.value());
        List<String> evidence = List.of(
                "episode started " + Instant.ofEpochMilli(e.start()),
                "peak " + format(e.peakValue()) + " in window starting " + Instant.ofEpochMilli(e.peakWindowStart()),
                "last firing window ended " + Instant.ofEpochMilli(e.lastFiringWindowEnd()),
                "latest: " + f.summary());
        return new Alert(alertId(f.fingerprint(), e.start(), AlertStatus.RESOLVED, e.severity()), f.fingerprint(),
                f.type(), e.severity(), AlertStatus.RESOLVED, new TreeMap<>(f.subject()), summary, f.value(),
                e.threshold(), e.start(), f.windowEnd(), evidence, playbooks.steps(f.type()));
    }

    private static String subjectText(Finding f) {
        return f.subject().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(en -> en.getKey() + "=" + en.getValue())
                .reduce((a, b) -> a + " " + b).orElse("");
    }

    static String format(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    public static String alertId(String fingerprint, long episodeStart, AlertStatus status, Severity severity) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((fingerprint + "|" + episodeStart + "|" + status + "|" + severity)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
