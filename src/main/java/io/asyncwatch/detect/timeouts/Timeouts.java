package io.asyncwatch.detect.timeouts;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.Judged;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.calls.CallStats;
import io.asyncwatch.detect.calls.CallWindowSettings;
import io.asyncwatch.detect.calls.CallWindows;
import io.asyncwatch.detect.calls.ServiceWindow;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.kstream.Named;

/**
 * Timeouts: the seeds' timeout effectiveness grid ({@code TIMEOUT_EFFECTIVENESS}, WARN when fewer than 70 % of a
 * service's attempts succeed), the timeout ladder per path on the metrics topic (configured, recommended = 2 x p99
 * + the callee's largest own timeout + a buffer, and FIX / REVIEW / OK), and {@code CASCADE_TIMEOUT} at WARN
 * where configured timeouts alone show a caller giving up before its callee's sequential calls could finish (on
 * paths without traces; traced paths are judged call by call by the cascade detector).
 */
public final class Timeouts implements Detector {

    public static final String NAME = "timeouts";
    public static final String EFFECTIVENESS_METRIC = "timeout_effectiveness";
    public static final String LADDER_METRIC = "timeout_ladder";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return TimeoutSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        long window = config.settings(CallWindowSettings.SPEC).windowMs();
        return Map.of(AlertType.TIMEOUT_EFFECTIVENESS, AlertPolicy.windowed(window,
                        AlertPolicy.Direction.LOWER_IS_WORSE),
                AlertType.CASCADE_TIMEOUT, cascadePolicy());
    }

    /** Cascades are evidence (a trace, a configuration), not a level: they end after a quiet period. */
    public static AlertPolicy cascadePolicy() {
        return AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE);
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        // Closed by the service tasks after grace, then gathered here until every service task has passed it.
        return config.settings(CallWindowSettings.SPEC).windowMs() + 2 * CallWindows.closeAfterMs(config);
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        TimeoutSettings s = config.settings(TimeoutSettings.SPEC);
        return Judged.outputs(CallWindows.allServices(inputs, config).process(
                new TimeoutsProcessor.Supplier(s, CallWindows.closeAfterMs(config), inputs.stores()),
                Named.as(NAME)), NAME);
    }

    private static String span(ServiceWindow w) {
        return TIME.format(Instant.ofEpochMilli(w.windowStart())) + "-"
                + TIME.format(Instant.ofEpochMilli(w.windowEnd())) + " UTC";
    }

    static Metric effectivenessMetric(ServiceWindow w, CallStats c, TimeoutSettings s) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("attempts", (double) c.attempts);
        values.put("success", (double) c.success);
        values.put("timeouts", (double) c.timeouts);
        values.put("errors", (double) c.errors);
        double n = Math.max(1, c.attempts);
        values.put("successShare", c.success / n);
        values.put("timeoutShare", c.timeouts / n);
        values.put("errorShare", c.errors / n);
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("grade", c.attempts < s.minAttempts() ? "LOW_VOLUME"
                : TimeoutMath.grade(c.success / n, s.warnSuccessShare()).name());
        if (w.layer() != null) {
            attributes.put("layer", w.layer());
        }
        return new Metric(EFFECTIVENESS_METRIC, Map.of("service", w.service()), w.windowStart(), w.windowEnd(), values,
                attributes);
    }

    static Metric rungMetric(ServiceWindow w, String destination, TimeoutMath.Rung r, Map<String, Long> downstream) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("configuredMs", (double) r.configuredMs());
        values.put("recommendedMs", r.recommendedMs());
        values.put("p99Ms", r.p99Ms());
        values.put("downstreamTimeoutMs", (double) r.downstreamMs());
        values.put("bufferMs", (double) r.bufferMs());
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("action", r.action().name());
        attributes.put("reason", switch (r.action()) {
            case FIX -> "configured below recommended: you're creating cascades";
            case REVIEW -> "configured far above recommended (asyncwatch.timeouts.review-factor): you're wasting"
                    + " resources";
            case OK -> "within the recommended range";
        });
        if (!downstream.isEmpty()) {
            attributes.put("downstream", downstream.toString());
        }
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", w.service());
        labels.put("destination", destination.isEmpty() ? "(none)" : destination);
        return new Metric(LADDER_METRIC, labels, w.windowStart(), w.windowEnd(), values, attributes);
    }

    /** A service's attempts that name no destination: the calls it serves itself (a database's queries). */
    static final String OWN_REQUESTS = "its own requests (no destination)";

    static String rungText(String destination, TimeoutMath.Rung r) {
        return String.format(Locale.ROOT, "timeout ladder -> %s: configured %s, recommended %s (2 x p99 %s + downstream"
                        + " %s + buffer %s): %s", destination, ms(r.configuredMs()),
                ms(r.recommendedMs()), ms(r.p99Ms()), ms(r.downstreamMs()), ms(r.bufferMs()), r.action());
    }

    static Finding effectiveness(ServiceWindow w, CallStats c, TimeoutSettings s, List<String> fixedPaths,
                                 List<TimeoutMath.Rung> fixes, String source) {
        double n = Math.max(1, c.attempts);
        double share = c.success / n;
        boolean judged = c.attempts >= s.minAttempts();
        Severity severity = judged && share < s.warnSuccessShare() ? Severity.WARN : null;
        Map<String, String> subject = new TreeMap<>();
        subject.put("service", w.service());
        if (w.layer() != null) {
            subject.put("layer", w.layer());
        }
        String fingerprint = Finding.fingerprint(AlertType.TIMEOUT_EFFECTIVENESS, Map.of("service", w.service()));
        String grade = judged ? TimeoutMath.grade(share, s.warnSuccessShare()).name() : "LOW_VOLUME";
        String summary = String.format(Locale.ROOT,
                "%s timeout effectiveness %s (%s) in %s: %s success, %s timeout, %s error of %d attempts%s",
                w.service(), pct(share), grade, span(w), pct(share), pct(c.timeouts / n), pct(c.errors / n),
                c.attempts, severity != null ? String.format(Locale.ROOT, " (WARN below %s)",
                        pct(s.warnSuccessShare())) : "");
        if (severity != null && !fixes.isEmpty()) {
            List<String> toward = fixedPaths.stream().filter(d -> !d.isEmpty()).toList();
            List<String> parts = new ArrayList<>();
            if (!toward.isEmpty()) {
                parts.add("toward " + String.join(", ", toward));
            }
            if (toward.size() < fixedPaths.size()) {
                parts.add("on " + OWN_REQUESTS);
            }
            summary += "; timeout ladder says FIX " + String.join(" and ", parts);
        }
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "window %s to %s: %d success, %d timeout, %d error",
                Instant.ofEpochMilli(w.windowStart()), Instant.ofEpochMilli(w.windowEnd()), c.success, c.timeouts,
                c.errors));
        for (int i = 0; i < fixes.size(); i++) {
            String d = fixedPaths.get(i);
            evidence.add(rungText(d.isEmpty() ? OWN_REQUESTS : d, fixes.get(i)));
        }
        if (c.slowestMs >= 0) {
            evidence.add(String.format(Locale.ROOT, "slowest attempt: %s (%s)", c.slowestId, ms(c.slowestMs)));
        }
        return new Finding(fingerprint, AlertType.TIMEOUT_EFFECTIVENESS, severity, subject, summary, share,
                s.warnSuccessShare(), w.windowStart(), w.windowEnd(), List.copyOf(evidence), source);
    }

    static Finding configuredCascade(ServiceWindow w, String destination, long configuredMs,
                                     Map<String, Long> downstream, TimeoutMath.Need need, String source) {
        long needed = need.ms();
        long budget = TimeoutMath.budget(List.of(needed));
        Map<String, String> identity = new TreeMap<>();
        identity.put("service", w.service());
        identity.put("destination", destination);
        identity.put("basis", "configured-timeouts");
        Map<String, String> subject = new TreeMap<>(identity);
        if (w.layer() != null) {
            subject.put("layer", w.layer());
        }
        List<String> parts = new ArrayList<>();
        downstream.forEach((d, t) -> parts.add(d + " " + ms(t)));
        boolean deeper = needed > TimeoutMath.sequential(downstream.values());
        String summary = String.format(Locale.ROOT,
                "Possible timeout cascade (configured timeouts, no traces): %s gives %s %s, but %s waits up to %s on"
                        + " its own calls (%s%s); budget %s (what it needs + 50%%)",
                w.service(), destination, ms(configuredMs), destination, ms(needed), String.join(" + ", parts),
                deeper ? ", each plus what its callee waits for in turn" : "", ms(budget));
        StringBuilder chain = new StringBuilder(w.service()).append(" -(").append(ms(configuredMs)).append(")-> ")
                .append(destination);
        need.chain().forEach(h -> chain.append(" -(").append(ms(h.timeoutMs())).append(")-> ")
                .append(h.destination()));
        List<String> evidence = List.of(
                "chain: " + chain,
                "assumes each service calls its destinations one after another; traces would show it",
                String.format(Locale.ROOT, "seen in %s", span(w)));
        return new Finding(Finding.fingerprint(AlertType.CASCADE_TIMEOUT, identity), AlertType.CASCADE_TIMEOUT,
                Severity.WARN, subject, summary, needed, configuredMs, w.windowStart(), w.windowEnd(), evidence,
                source);
    }

    static String ms(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%.1f s", v / 1000);
        }
        return String.format(Locale.ROOT, "%.0f ms", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
