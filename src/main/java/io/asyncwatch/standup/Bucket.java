package io.asyncwatch.standup;

import io.asyncwatch.detect.concurrentwrites.Resolutions;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the detectors published about one bucket of event time (10 minutes by default), reduced to what the standup
 * answers: the largest offset from the median per node, retries by outcome, conflicts and their entities, causality
 * violations per node, and the alert episodes that fired. Pure Java; the stage keeps one per bucket for a period.
 * Names beyond {@code maxTracked} per bucket are counted in {@link #untracked}, not named.
 */
final class Bucket {

    static final String RETRY_METRIC = "retry_multiplier";
    static final String SKEW_METRIC = "clock_offset";
    static final String CONFLICT_METRIC = "concurrent_writes";
    /** Violations per node where the effect happened; business-order violations are counted here too. */
    static final String CAUSAL_LINKS_METRIC = "causal_links";
    private static final Pattern TOP_ENTITY = Pattern.compile("(.+?) \\((\\d+)\\)(?:, |$)");
    private static final int VERSION = 1;

    /** "cluster/node" to its largest |offset from the cluster median| in the bucket, ms. */
    final Map<String, Double> skewMax = new TreeMap<>();
    /** The latest window with clock readings, and each node's |offset from the median| in it. */
    long skewLatestWindow = Long.MIN_VALUE;
    final Map<String, Double> skewAtLatest = new TreeMap<>();
    long attempts;
    long retries;
    long retriesSucceeded;
    long retriesTimedOut;
    long vectorConflicts;
    long possibleConflicts;
    final Map<String, Long> entities = new TreeMap<>();
    /** The most work a conflict of the bucket needs; null without one. */
    Resolutions.Hint resolution;
    long violations;
    final Map<String, Long> violationNodes = new TreeMap<>();
    /** Alert episodes with a FIRING alert in the bucket, by fingerprint, at their highest severity. */
    final Map<String, Severity> firing = new TreeMap<>();
    /** Names beyond the cap: counted; the largest offset of the nodes not named and the highest severity per type of
     * the episodes not named still count in the answers. */
    long untracked;
    double untrackedSkewMs;
    final Map<String, Severity> untrackedFiring = new TreeMap<>();

    void add(Metric m, int maxTracked) {
        Map<String, Double> v = m.values();
        switch (m.metric()) {
            case RETRY_METRIC -> {
                attempts += count(v, "attempts");
                retries += count(v, "retries");
                retriesSucceeded += count(v, "retriesSucceeded");
                retriesTimedOut += count(v, "retriesTimedOut");
            }
            case SKEW_METRIC -> {
                Double fromMedian = v.get("fromMedianMs");
                // Offsets estimated from heartbeat delivery delays are not measurements (the detector caps them at
                // WARN): the standup's maximum skew is what clocks reported.
                if (fromMedian == null || fromMedian.isNaN() || "heartbeats".equals(m.attributes().get("basis"))) {
                    return;
                }
                double abs = Math.abs(fromMedian);
                String node = m.labels().getOrDefault("cluster", "?") + "/" + m.labels().getOrDefault("node", "?");
                if (!skewMax.containsKey(node) && skewMax.size() >= maxTracked) {
                    untracked++;
                    untrackedSkewMs = Math.max(untrackedSkewMs, abs);
                    return;
                }
                skewMax.merge(node, abs, Math::max);
                if (m.windowStart() > skewLatestWindow) {
                    skewLatestWindow = m.windowStart();
                    skewAtLatest.clear();
                }
                if (m.windowStart() == skewLatestWindow) {
                    skewAtLatest.merge(node, abs, Math::max);
                }
            }
            case CONFLICT_METRIC -> {
                vectorConflicts += count(v, "vectorConflicts");
                possibleConflicts += count(v, "possibleConflicts");
                Matcher e = TOP_ENTITY.matcher(m.attributes().getOrDefault("topEntities", ""));
                while (e.find()) {
                    String entity = e.group(1);
                    if (!entities.containsKey(entity) && entities.size() >= maxTracked) {
                        untracked++;
                    } else {
                        entities.merge(entity, Long.parseLong(e.group(2)), Long::sum);
                    }
                }
                Resolutions.Hint hint = hint(m.attributes().get("resolution"));
                if (hint != null && (resolution == null || hint.ordinal() > resolution.ordinal())) {
                    resolution = hint;
                }
            }
            case CAUSAL_LINKS_METRIC -> {
                long n = count(v, "violations");
                violations += n;
                String node = m.labels().get("node");
                if (n > 0 && node != null) {
                    if (!violationNodes.containsKey(node) && violationNodes.size() >= maxTracked) {
                        untracked++;
                    } else {
                        violationNodes.merge(node, n, Long::sum);
                    }
                }
            }
            default -> {
                // Not a standup question.
            }
        }
    }

    void add(StandupFact.AlertFact a, int maxTracked) {
        if (a.status() != AlertStatus.FIRING) {
            return;
        }
        if (!firing.containsKey(a.fingerprint()) && firing.size() >= maxTracked) {
            untracked++;
            untrackedFiring.merge(a.type().name(), a.severity(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
            return;
        }
        firing.merge(a.fingerprint(), a.severity(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
    }

    long conflicts() {
        return vectorConflicts + possibleConflicts;
    }

    private static long count(Map<String, Double> values, String name) {
        Double d = values.get(name);
        return d == null || d.isNaN() ? 0 : Math.round(d);
    }

    /** The hint whose label the concurrent-write metric carries ("Manual needed"). */
    static Resolutions.Hint hint(String label) {
        if (label == null) {
            return null;
        }
        for (Resolutions.Hint h : Resolutions.Hint.values()) {
            if (h.label().equals(label)) {
                return h;
            }
        }
        return null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).doubleMap(skewMax).varlong(skewLatestWindow).doubleMap(skewAtLatest);
        w.varlong(attempts).varlong(retries).varlong(retriesSucceeded).varlong(retriesTimedOut)
                .varlong(vectorConflicts).varlong(possibleConflicts).longMap(entities)
                .varlong(resolution == null ? -1 : resolution.ordinal()).varlong(violations).longMap(violationNodes);
        Map<String, String> f = new TreeMap<>();
        firing.forEach((k, s) -> f.put(k, s.name()));
        w.stringMap(f).varlong(untracked).f64(untrackedSkewMs);
        Map<String, String> u = new TreeMap<>();
        untrackedFiring.forEach((k, s) -> u.put(k, s.name()));
        return w.stringMap(u).bytes();
    }

    static Bucket fromBytes(byte[] bytes) {
        Bin.Reader r = Bin.versioned(bytes, VERSION, "standup bucket");
        Bucket b = new Bucket();
        b.skewMax.putAll(r.doubleMap());
        b.skewLatestWindow = r.varlong();
        b.skewAtLatest.putAll(r.doubleMap());
        b.attempts = r.varlong();
        b.retries = r.varlong();
        b.retriesSucceeded = r.varlong();
        b.retriesTimedOut = r.varlong();
        b.vectorConflicts = r.varlong();
        b.possibleConflicts = r.varlong();
        b.entities.putAll(r.longMap());
        int hint = (int) r.varlong();
        b.resolution = hint < 0 ? null : Resolutions.Hint.values()[hint];
        b.violations = r.varlong();
        b.violationNodes.putAll(r.longMap());
        r.stringMap().forEach((k, s) -> b.firing.put(k, Severity.valueOf(s)));
        b.untracked = r.varlong();
        b.untrackedSkewMs = r.f64();
        r.stringMap().forEach((k, s) -> b.untrackedFiring.put(k, Severity.valueOf(s)));
        return b;
    }
}
