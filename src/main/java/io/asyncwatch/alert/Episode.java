package io.asyncwatch.alert;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the alert stage remembers about one fingerprint: its current episode, or (with {@code open == false}) only
 * how many episodes it has had, so the next one gets alert ids of its own whatever times its findings carry.
 *
 * @param source           the detector task whose findings it follows, and on whose clock its silence counts
 * @param number           episodes of this fingerprint so far, this one included; part of every alertId
 * @param start            event time the episode started (its first firing finding's window start)
 * @param severity         highest severity announced in this episode
 * @param clearStreak      consecutive clear findings since the last firing one
 * @param lastFiringEnd    window end of the latest firing finding: where quiet periods and silent windows count from
 * @param lastAnnounced    event time of the latest FIRING (first or repeated), for max-episode-ms
 * @param announcements    FIRING alerts published in this episode
 * @param firings          firing findings in this episode
 * @param deadline         the deadline scheduled in the store for this fingerprint, or -1
 * @param ended            event time the episode ended (closed episodes), for forgetting it
 */
public record Episode(
        String fingerprint,
        String source,
        long number,
        boolean open,
        AlertType type,
        Map<String, String> subject,
        long start,
        Severity severity,
        double threshold,
        double peakValue,
        long peakWindowStart,
        int clearStreak,
        long lastFiringEnd,
        long lastAnnounced,
        int announcements,
        long firings,
        String lastSummary,
        long deadline,
        long ended) {

    private static final int VERSION = 1;

    public Episode withDeadline(long d) {
        return new Episode(fingerprint, source, number, open, type, subject, start, severity, threshold, peakValue,
                peakWindowStart, clearStreak, lastFiringEnd, lastAnnounced, announcements, firings, lastSummary, d,
                ended);
    }

    public Episode withClearStreak(int streak) {
        return new Episode(fingerprint, source, number, open, type, subject, start, severity, threshold, peakValue,
                peakWindowStart, streak, lastFiringEnd, lastAnnounced, announcements, firings, lastSummary, deadline,
                ended);
    }

    /** Announced again (FIRING) at event time {@code now}. */
    public Episode announcedAgain(long now) {
        return new Episode(fingerprint, source, number, open, type, subject, start, severity, threshold, peakValue,
                peakWindowStart, clearStreak, lastFiringEnd, now, announcements + 1, firings, lastSummary, deadline,
                ended);
    }

    /** Ended (RESOLVED) at event time {@code end}: only its number and end are still needed. */
    public Episode closedAt(long end) {
        return new Episode(fingerprint, source, number, false, type, subject, start, severity, threshold, peakValue,
                peakWindowStart, 0, lastFiringEnd, lastAnnounced, announcements, firings, lastSummary, deadline, end);
    }

    public byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(fingerprint).str(source).varlong(number).bool(open).u8(type.ordinal())
                .stringMap(new TreeMap<>(subject)).varlong(start).u8(severity == null ? 255 : severity.ordinal())
                .f64(threshold).f64(peakValue).varlong(peakWindowStart).varlong(clearStreak).varlong(lastFiringEnd)
                .varlong(lastAnnounced).varlong(announcements).varlong(firings).str(lastSummary).varlong(deadline)
                .varlong(ended).bytes();
    }

    public static Episode fromBytes(byte[] bytes) {
        Bin.Reader r = Bin.versioned(bytes, VERSION, "episode");
        String fingerprint = r.str();
        String source = r.str();
        long number = r.varlong();
        boolean open = r.bool();
        AlertType type = AlertType.values()[r.u8()];
        Map<String, String> subject = r.stringMap();
        long start = r.varlong();
        int sev = r.u8();
        return new Episode(fingerprint, source, number, open, type, subject, start,
                sev == 255 ? null : Severity.values()[sev], r.f64(),
                r.f64(), r.varlong(), r.varint(), r.varlong(), r.varlong(), r.varint(), r.varlong(), r.str(),
                r.varlong(), r.varlong());
    }
}
