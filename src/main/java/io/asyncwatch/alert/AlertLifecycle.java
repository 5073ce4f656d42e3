package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alert state machine shared by every detector. Pure: given what is remembered about a fingerprint and a
 * finding (or the passing of time on the type's clock) it returns what to remember and the alerts to publish.
 *
 * <ul>
 *   <li>a firing finding with no open episode opens one (the fingerprint's next episode number) and publishes
 *       FIRING;</li>
 *   <li>a firing finding of higher severity than announced publishes FIRING again at the new severity; equal or
 *       lower severity publishes nothing (the episode is already known);</li>
 *   <li>an episode still open {@code max-episode-ms} after its last announcement is announced again;</li>
 *   <li>it ends by its type's {@link AlertPolicy}: N consecutive clear windows or N windows without a firing one
 *       (windowed), or a quiet period without new evidence (event-driven): RESOLVED.</li>
 * </ul>
 * alertId = hash(fingerprint, episode number, episode start, status, severity, announcement): the same input gives
 * the same ids, and no two episodes or status changes share one, in whatever order findings arrive.
 */
public final class AlertLifecycle {

    public record Step(Episode episode, List<Alert> alerts) {
    }

    private static final DateTimeFormatter HHMM =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private final AlertSettings settings;
    private final Map<AlertType, AlertPolicy> policies;
    private final Playbooks playbooks;

    public AlertLifecycle(AlertSettings settings, Map<AlertType, AlertPolicy> policies, Playbooks playbooks) {
        this.settings = settings;
        this.policies = Map.copyOf(policies);
        this.playbooks = playbooks;
    }

    public AlertPolicy policy(AlertType type) {
        AlertPolicy p = policies.get(type);
        if (p == null) {
            throw new IllegalStateException("no resolution policy declared for " + type);
        }
        return p;
    }

    public Step onFinding(Episode e, Finding f) {
        AlertPolicy policy = policy(f.type());
        if (!f.isClear()) {
            if (e == null || !e.open()) {
                Episode opened = new Episode(f.fingerprint(), f.source(), e == null ? 1 : e.number() + 1, true,
                        f.type(), f.subject(), f.windowStart(), f.severity(), f.threshold(), f.value(),
                        f.windowStart(), 0, f.windowEnd(), f.windowEnd(), 1, 1, f.summary(),
                        e == null ? -1 : e.deadline(), 0);
                return new Step(opened, List.of(firing(opened, f.severity(), f.summary(), f.value(), f.threshold(),
                        f.windowStart(), f.windowEnd(), f.evidence())));
            }
            boolean escalates = f.severity().isAbove(e.severity());
            boolean peak = policy.direction().worse(f.value(), e.peakValue());
            Episode next = new Episode(e.fingerprint(), f.source(), e.number(), true, e.type(), f.subject(), e.start(),
                    escalates ? f.severity() : e.severity(), escalates ? f.threshold() : e.threshold(),
                    peak ? f.value() : e.peakValue(), peak ? f.windowStart() : e.peakWindowStart(), 0,
                    Math.max(e.lastFiringEnd(), f.windowEnd()),
                    escalates ? Math.max(e.lastAnnounced(), f.windowEnd()) : e.lastAnnounced(),
                    e.announcements() + (escalates ? 1 : 0), e.firings() + 1, f.summary(), e.deadline(), 0);
            return new Step(next, escalates ? List.of(firing(next, f.severity(), f.summary(), f.value(),
                    f.threshold(), f.windowStart(), f.windowEnd(), f.evidence())) : List.of());
        }
        if (e == null || !e.open() || policy.resolution() == AlertPolicy.Resolution.QUIET_PERIOD) {
            return new Step(e, List.of());
        }
        int streak = e.clearStreak() + 1;
        if (streak < settings.resolveAfterWindows()) {
            return new Step(e.withClearStreak(streak), List.of());
        }
        String why = "clear for " + streak + " consecutive windows";
        return resolve(e, why, f.value(), f.windowEnd(), List.of("latest: " + f.summary()));
    }

    /** When this fingerprint next needs attention on its type's clock, with nothing else arriving. */
    public long deadline(Episode e) {
        if (!e.open()) {
            return e.ended() + settings.rememberMs();
        }
        return Math.min(resolveAt(e), e.lastAnnounced() + settings.maxEpisodeMs());
    }

    /** Time has reached {@code now} on the type's clock: resolve by silence, announce again, or forget. */
    public Step onTime(Episode e, long now) {
        if (!e.open()) {
            return now >= deadline(e) ? new Step(null, List.of()) : new Step(e, List.of());
        }
        AlertPolicy policy = policy(e.type());
        if (now >= resolveAt(e)) {
            String why = policy.resolution() == AlertPolicy.Resolution.QUIET_PERIOD
                    ? "no new evidence for " + duration(settings.quietPeriodMs())
                    : "nothing judged for " + (settings.resolveAfterWindows() + 1) + " windows after the last firing"
                            + " one (" + duration((settings.resolveAfterWindows() + 1) * policy.windowMs())
                            + " of event time): the subject went quiet";
            return resolve(e, why, e.peakValue(), resolveAt(e), List.of());
        }
        if (now >= e.lastAnnounced() + settings.maxEpisodeMs()) {
            // Stamped with the deadline, not with when the clock was looked at: the same on replay and live.
            long at = e.lastAnnounced() + settings.maxEpisodeMs();
            Episode again = e.announcedAgain(at);
            String summary = "STILL FIRING since " + HHMM.format(Instant.ofEpochMilli(e.start())) + " UTC ("
                    + duration(at - e.start()) + ", " + e.firings() + " firing findings): " + e.lastSummary();
            return new Step(again, List.of(firing(again, e.severity(), summary, e.peakValue(), e.threshold(),
                    e.start(), at, List.of("episode started " + Instant.ofEpochMilli(e.start()),
                            "announced again after " + duration(settings.maxEpisodeMs()) + " without resolving"))));
        }
        return new Step(e, List.of());
    }

    /**
     * Windowed: one window more than the clear streak needs, so that a subject still being judged always
     * resolves by its own clear windows, whatever order other subjects' findings move the type's clock in.
     */
    private long resolveAt(Episode e) {
        AlertPolicy policy = policy(e.type());
        return policy.resolution() == AlertPolicy.Resolution.QUIET_PERIOD
                ? e.lastFiringEnd() + settings.quietPeriodMs()
                : e.lastFiringEnd() + (settings.resolveAfterWindows() + 1L) * policy.windowMs();
    }

    private Alert firing(Episode e, Severity severity, String summary, double value, double threshold,
                         long windowStart, long windowEnd, List<String> evidence) {
        return new Alert(alertId(e.fingerprint(), e.number(), e.start(), AlertStatus.FIRING, severity,
                e.announcements()), e.fingerprint(), e.type(), severity, AlertStatus.FIRING, new TreeMap<>(e.subject()),
                summary, value, threshold, windowStart, windowEnd, evidence, playbooks.steps(e.type()));
    }

    private Step resolve(Episode e, String why, double value, long end, List<String> latest) {
        AlertPolicy policy = policy(e.type());
        String peakWord = policy.direction() == AlertPolicy.Direction.HIGHER_IS_WORSE ? "peaked at" : "was at worst";
        String summary = "RESOLVED " + e.type() + " " + subjectText(e.subject()) + ": " + why + "; episode "
                + HHMM.format(Instant.ofEpochMilli(e.start())) + " to " + HHMM.format(Instant.ofEpochMilli(end))
                + " UTC " + peakWord + " " + format(e.peakValue()) + " (" + e.severity() + ")"
                + (e.firings() > 1 ? " over " + e.firings() + " firing findings" : "");
        List<String> evidence = new ArrayList<>(List.of(
                "episode " + e.number() + " of this fingerprint started " + Instant.ofEpochMilli(e.start()),
                "worst " + format(e.peakValue()) + " in the window starting "
                        + Instant.ofEpochMilli(e.peakWindowStart()),
                "last firing evidence ended " + Instant.ofEpochMilli(e.lastFiringEnd())));
        evidence.addAll(latest);
        Episode closed = e.closedAt(end);
        Alert alert = new Alert(alertId(e.fingerprint(), e.number(), e.start(), AlertStatus.RESOLVED, e.severity(), 0),
                e.fingerprint(), e.type(), e.severity(), AlertStatus.RESOLVED, new TreeMap<>(e.subject()), summary,
                value, e.threshold(), e.start(), end, List.copyOf(evidence), playbooks.steps(e.type()));
        return new Step(closed, List.of(alert));
    }

    private static String subjectText(Map<String, String> subject) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(subject).forEach((k, v) -> {
            sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v);
        });
        return sb.toString();
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String duration(long ms) {
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    public static String alertId(String fingerprint, long episode, long episodeStart, AlertStatus status,
                                 Severity severity, int announcement) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((fingerprint + "|" + episode + "|" + episodeStart + "|" + status + "|"
                    + severity + "|" + announcement).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
