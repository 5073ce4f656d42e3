package io.asyncwatch.standup;

import io.asyncwatch.detect.concurrentwrites.Resolutions;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.AlertsAnswer;
import io.asyncwatch.model.StandupSummary.CausalityAnswer;
import io.asyncwatch.model.StandupSummary.ClockSkewAnswer;
import io.asyncwatch.model.StandupSummary.ConcurrentWritesAnswer;
import io.asyncwatch.model.StandupSummary.RetryLoopsAnswer;
import io.asyncwatch.model.StandupSummary.SkewTrend;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.model.StandupSummary.StandupStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standup's answers from the buckets of one period: pure arithmetic, no Kafka. Statuses follow the seeds'
 * thresholds: skew ⚠ beyond the clock-skew detector's WARN offset and 🚨 beyond its ALERT offset; retry loops ⚠ with
 * a retry storm or too few successful retries, 🚨 when a storm paged; concurrent writes ⚠ with any conflict, 🚨 when
 * one of concurrent vector clocks needs a manual resolution; causality ⚠ with any violation (target 0), 🚨 when a
 * causality alert paged.
 */
public final class Summaries {

    /** What the answers are judged against, besides the standup's own settings. */
    public record Thresholds(double skewWarnMs, double skewCriticalMs) {
    }

    /**
     * Which detectors feed the answers: a question whose detector is off has no data rather than a clean bill
     * (its detector publishes points only when there is something to count, so absence means zero only when it
     * runs).
     */
    public record Sources(boolean retryStorm, boolean concurrentWrites, boolean causality) {
    }

    static final String FIX_TODAY = "If any box shows ⚠ or 🚨, fix it TODAY";
    private static final int MAX_FINGERPRINTS = 20;
    private static final int MIN_TREND_POINTS = 3;
    private static final Pattern SERVICE = Pattern.compile("service=\"([^\"]*)\"");

    private Summaries() {
    }

    /** @param buckets the period's buckets by their start, without empty ones */
    static StandupSummary summarize(StandupKind kind, long start, long end, NavigableMap<Long, Bucket> buckets,
                                           StandupSettings s, Thresholds t, Sources sources, long lateFacts) {
        Map<String, Severity> firing = new TreeMap<>();
        buckets.values().forEach(b -> b.firing.forEach((fp, sev) -> firing.merge(fp, sev, Summaries::max)));
        // Episodes beyond the cap, by type only: enough for "a storm paged".
        Map<String, Severity> unnamed = new TreeMap<>();
        buckets.values().forEach(b -> b.untrackedFiring.forEach((type, sev) -> unnamed.merge(type, sev, Summaries::max)));
        long untracked = buckets.values().stream().mapToLong(b -> b.untracked).sum();

        ClockSkewAnswer skew = clockSkew(buckets, s, t);
        RetryLoopsAnswer loops = retryLoops(buckets, firing, unnamed, s, sources.retryStorm());
        ConcurrentWritesAnswer writes = concurrentWrites(buckets, s, sources.concurrentWrites());
        CausalityAnswer causality = causality(buckets, firing, unnamed, s, sources.causality());
        AlertsAnswer alerts = alerts(firing);

        List<StandupStatus> statuses = List.of(skew.status(), loops.status(), writes.status(), causality.status());
        StandupStatus overall = statuses.stream().filter(x -> x != StandupStatus.NO_DATA)
                .max(Comparator.naturalOrder()).orElse(StandupStatus.NO_DATA);
        return new StandupSummary(kind, start, end, overall, skew, loops, writes, causality, alerts, lateFacts,
                untracked, advice(skew, loops, writes, causality, overall));
    }

    static ClockSkewAnswer clockSkew(NavigableMap<Long, Bucket> buckets, StandupSettings s, Thresholds t) {
        Map<String, Double> max = new TreeMap<>();
        double unnamed = 0;
        Bucket latest = null;
        List<double[]> points = new ArrayList<>();
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            Bucket b = e.getValue();
            unnamed = Math.max(unnamed, b.untrackedSkewMs);
            if (b.skewMax.isEmpty()) {
                continue;
            }
            b.skewMax.forEach((node, v) -> max.merge(node, v, Math::max));
            points.add(new double[] {e.getKey(), b.skewMax.values().stream().mapToDouble(Double::doubleValue)
                    .max().orElse(0)});
            if (latest == null || b.skewLatestWindow > latest.skewLatestWindow) {
                latest = b;
            }
        }
        if (max.isEmpty()) {
            return new ClockSkewAnswer(StandupStatus.NO_DATA, null, null, null, null,
                    null, SkewTrend.UNKNOWN, 0);
        }
        if (unnamed > largest(max).getValue()) {
            max.put("(nodes beyond standup.max-tracked)/(unnamed)", unnamed);
        }
        Map.Entry<String, Double> top = largest(max);
        Map.Entry<String, Double> now = largest(latest.skewAtLatest);
        double maxMs = top.getValue();
        StandupStatus status = maxMs > t.skewCriticalMs() ? StandupStatus.CRITICAL
                : maxMs > t.skewWarnMs() ? StandupStatus.WARNING : StandupStatus.OK;
        String[] where = top.getKey().split("/", 2);
        return new ClockSkewAnswer(status, round(now.getValue()), nodeOf(now.getKey()), round(maxMs), where[1],
                where[0], trend(points, s), max.size());
    }

    /**
     * Least-squares slope of each bucket's largest offset over the buckets with readings, as a change over the
     * period: WORSENING or IMPROVING when it moves at least {@code trend-min-ms} and a fifth of the mean.
     */
    static SkewTrend trend(List<double[]> points, StandupSettings s) {
        if (points.size() < MIN_TREND_POINTS) {
            return SkewTrend.UNKNOWN;
        }
        double n = points.size();
        double mx = points.stream().mapToDouble(p -> p[0]).sum() / n;
        double my = points.stream().mapToDouble(p -> p[1]).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        if (sxx == 0) {
            return SkewTrend.UNKNOWN;
        }
        double change = sxy / sxx * (points.get(points.size() - 1)[0] - points.get(0)[0]);
        double needed = Math.max(s.trendMinMs(), 0.2 * my);
        return change >= needed ? SkewTrend.WORSENING : change <= -needed ? SkewTrend.IMPROVING : SkewTrend.STEADY;
    }

    static RetryLoopsAnswer retryLoops(NavigableMap<Long, Bucket> buckets, Map<String, Severity> firing,
                                       Map<String, Severity> unnamed, StandupSettings s, boolean source) {
        long attempts = 0;
        long retries = 0;
        long succeeded = 0;
        long timedOut = 0;
        for (Bucket b : buckets.values()) {
            attempts += b.attempts;
            retries += b.retries;
            succeeded += b.retriesSucceeded;
            timedOut += b.retriesTimedOut;
        }
        List<String> services = new ArrayList<>();
        boolean paged = false;
        for (Map.Entry<String, Severity> e : firing.entrySet()) {
            if (e.getKey().startsWith(AlertType.RETRY_STORM.name() + "{")) {
                Matcher m = SERVICE.matcher(e.getKey());
                services.add(m.find() ? m.group(1) : e.getKey());
                paged |= e.getValue() == Severity.PAGE;
            }
        }
        Severity beyond = unnamed.get(AlertType.RETRY_STORM.name());
        paged |= beyond == Severity.PAGE;
        boolean storms = !services.isEmpty() || beyond != null;
        Double share = retries == 0 ? null : round4((double) succeeded / retries);
        StandupStatus status;
        // A storm that fired in the period answers the question whatever the counts of the period say.
        if (paged) {
            status = StandupStatus.CRITICAL;
        } else if (storms || (share != null && share < s.retrySuccessWarn())) {
            status = StandupStatus.WARNING;
        } else if (!source || attempts == 0) {
            status = StandupStatus.NO_DATA;
        } else {
            status = StandupStatus.OK;
        }
        return new RetryLoopsAnswer(status, retries, succeeded, share, timedOut, attempts, services.size(),
                services.stream().limit(s.top()).toList());
    }

    static ConcurrentWritesAnswer concurrentWrites(NavigableMap<Long, Bucket> buckets, StandupSettings s,
                                                   boolean source) {
        long vector = 0;
        long possible = 0;
        Map<String, Long> entities = new HashMap<>();
        Resolutions.Hint resolution = null;
        for (Bucket b : buckets.values()) {
            vector += b.vectorConflicts;
            possible += b.possibleConflicts;
            b.entities.forEach((e, n) -> entities.merge(e, n, Long::sum));
            if (b.resolution != null && (resolution == null || b.resolution.ordinal() > resolution.ordinal())) {
                resolution = b.resolution;
            }
        }
        StandupStatus status;
        if (!source) {
            status = StandupStatus.NO_DATA;
        } else if (vector + possible == 0) {
            status = StandupStatus.OK;
        } else if (vector > 0 && resolution == Resolutions.Hint.MANUAL) {
            status = StandupStatus.CRITICAL;
        } else {
            status = StandupStatus.WARNING;
        }
        return new ConcurrentWritesAnswer(status, vector + possible, vector, possible, ranked(entities, s.top()),
                resolution == null ? null : resolution.label());
    }

    static CausalityAnswer causality(NavigableMap<Long, Bucket> buckets, Map<String, Severity> firing,
                                     Map<String, Severity> unnamed, StandupSettings s, boolean source) {
        long violations = 0;
        Map<String, Long> nodes = new HashMap<>();
        for (Bucket b : buckets.values()) {
            violations += b.violations;
            b.violationNodes.forEach((n, c) -> nodes.merge(n, c, Long::sum));
        }
        boolean paged = firing.entrySet().stream().anyMatch(e -> e.getValue() == Severity.PAGE
                && e.getKey().startsWith(AlertType.CAUSALITY_VIOLATION.name() + "{"))
                || unnamed.get(AlertType.CAUSALITY_VIOLATION.name()) == Severity.PAGE;
        StandupStatus status = paged ? StandupStatus.CRITICAL : violations > 0 ? StandupStatus.WARNING
                : !source ? StandupStatus.NO_DATA : StandupStatus.OK;
        return new CausalityAnswer(status, violations, ranked(nodes, s.top()));
    }

    static AlertsAnswer alerts(Map<String, Severity> firing) {
        Map<String, Integer> bySeverity = new TreeMap<>();
        Map<String, Integer> byType = new TreeMap<>();
        firing.forEach((fp, sev) -> {
            bySeverity.merge(sev.name(), 1, Integer::sum);
            int brace = fp.indexOf('{');
            byType.merge(brace < 0 ? fp : fp.substring(0, brace), 1, Integer::sum);
        });
        List<String> listed = firing.entrySet().stream()
                .sorted(Map.Entry.<String, Severity>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_FINGERPRINTS).map(e -> e.getValue() + " " + e.getKey()).toList();
        return new AlertsAnswer(firing.size(), bySeverity, byType, listed);
    }

    private static String advice(ClockSkewAnswer skew, RetryLoopsAnswer loops, ConcurrentWritesAnswer writes,
                                 CausalityAnswer causality, StandupStatus overall) {
        if (overall == StandupStatus.NO_DATA) {
            return "No detector published anything for this period: is traffic reaching asyncwatch?";
        }
        if (overall == StandupStatus.OK) {
            return "All clear: nothing to fix today.";
        }
        Map<String, StandupStatus> boxes = new LinkedHashMap<>();
        boxes.put("clock skew", skew.status());
        boxes.put("timeout-retry loops", loops.status());
        boxes.put("concurrent writes", writes.status());
        boxes.put("causality violations", causality.status());
        List<String> named = boxes.entrySet().stream()
                .filter(e -> e.getValue() == StandupStatus.WARNING || e.getValue() == StandupStatus.CRITICAL)
                .map(Map.Entry::getKey).toList();
        return FIX_TODAY + ": " + String.join(", ", named) + ".";
    }

    /** "name (n)", most first, ties by name. */
    private static List<String> ranked(Map<String, Long> counts, int top) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(top).map(e -> e.getKey() + " (" + e.getValue() + ")").toList();
    }

    private static Map.Entry<String, Double> largest(Map<String, Double> values) {
        // Largest value; of equal ones, the first name (stable output).
        Comparator<Map.Entry<String, Double>> byValue = Map.Entry.comparingByValue();
        Comparator<Map.Entry<String, Double>> byName = Map.Entry.comparingByKey();
        return values.entrySet().stream().max(byValue.thenComparing(byName.reversed())).orElseThrow();
    }

    private static String nodeOf(String clusterNode) {
        return clusterNode.substring(clusterNode.indexOf('/') + 1);
    }

    private static Severity max(Severity a, Severity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
