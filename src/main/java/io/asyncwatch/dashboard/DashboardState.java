package io.asyncwatch.dashboard;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard and {@code /metrics} show, read from asyncwatch's own topics: the newest points of each metric
 * series, the latest alert of each episode, the latest standup summaries and dead letters by reason. Every part is
 * bounded (series, points per series, episodes, reasons), so a dashboard left open for a day holds what it held after
 * an hour. Thread-safe: the feed writes, the server reads.
 */
public final class DashboardState {

    /** An episode as the page lists it: its latest alert, when it first fired and how many alerts it had. */
    public record Episode(Alert latest, long firstFiring, int alerts) {
        public boolean firing() {
            return latest.status() == AlertStatus.FIRING;
        }
    }

    /** A copy for one page or scrape. */
    public record Snapshot(List<Metric> metrics, List<Episode> episodes, Map<String, StandupSummary> standups,
                           Map<String, Long> deadLetters, long version, long records) {
    }

    static final int MAX_REASONS = 100;

    private final DashboardSettings s;
    /** Series in access order: the least recently updated first, dropped first. */
    private final LinkedHashMap<String, ArrayDeque<Metric>> series = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Episode> episodes = new LinkedHashMap<>();
    private final Map<String, StandupSummary> standups = new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private long version;
    private long records;

    public DashboardState(DashboardSettings s) {
        this.s = s;
    }

    public synchronized void add(Metric m) {
        ArrayDeque<Metric> points = series.get(m.seriesKey());
        if (points == null) {
            if (series.size() >= s.maxSeries()) {
                Iterator<String> oldest = series.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            points = new ArrayDeque<>();
            series.put(m.seriesKey(), points);
        }
        points.addLast(m);
        while (points.size() > s.maxPoints()) {
            points.removeFirst();
        }
        changed();
    }

    public synchronized void add(Alert a) {
        Episode before = episodes.remove(a.fingerprint());
        boolean newEpisode = before == null || (!before.firing() && a.status() == AlertStatus.FIRING);
        Episode e = newEpisode ? new Episode(a, a.windowStart(), 1)
                : new Episode(a, before.firstFiring(), before.alerts() + 1);
        episodes.put(a.fingerprint(), e); // the newest last
        while (episodes.size() > s.maxAlerts()) {
            // Resolved ones go first, the oldest of them; then the oldest firing one.
            String drop = episodes.entrySet().stream().filter(x -> !x.getValue().firing()).map(Map.Entry::getKey)
                    .findFirst().orElse(episodes.keySet().iterator().next());
            episodes.remove(drop);
        }
        changed();
    }

    public synchronized void add(StandupSummary summary) {
        StandupSummary before = standups.get(summary.kind().name());
        if (before == null || before.periodEnd() <= summary.periodEnd()) {
            standups.put(summary.kind().name(), summary);
        }
        changed();
    }

    public synchronized void add(DeadLetter d) {
        String reason = kind(d.reason());
        if (!deadLetters.containsKey(reason) && deadLetters.size() >= MAX_REASONS) {
            reason = "(other reasons)";
        }
        deadLetters.merge(reason, 1L, Long::sum);
        changed();
    }

    /** Counts a record the feed could not read (it goes on). */
    public synchronized void unreadable(String topic) {
        deadLetters.merge("unreadable record on " + topic, 1L, Long::sum);
        changed();
    }

    private void changed() {
        version++;
        records++;
    }

    /** Forgets everything (the feed reads its history again after a reconnect). */
    public synchronized void clear() {
        series.clear();
        episodes.clear();
        standups.clear();
        deadLetters.clear();
        version++;
    }

    public synchronized Snapshot snapshot() {
        List<Metric> metrics = new ArrayList<>();
        series.values().forEach(metrics::addAll);
        List<Episode> list = new ArrayList<>(episodes.values());
        return new Snapshot(metrics, list, new TreeMap<>(standups), new TreeMap<>(deadLetters), version, records);
    }

    /** Moves on with every change: equal versions, equal snapshots. */
    public synchronized long version() {
        return version;
    }

    public synchronized int seriesCount() {
        return series.size();
    }

    public synchronized int episodeCount() {
        return episodes.size();
    }

    /** "requests: field 'attempt': wrong type" -> "requests: field 'attempt'" (the reason without its details). */
    static String kind(String reason) {
        if (reason == null) {
            return "(no reason)";
        }
        int second = reason.indexOf(':', reason.indexOf(':') + 1);
        return second < 0 ? reason : reason.substring(0, second);
    }
}
