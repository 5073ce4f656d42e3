package io.asyncwatch.detect.latency;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.calls.CallStats;
import io.asyncwatch.detect.calls.CallWindowSettings;
import io.asyncwatch.detect.calls.CallWindows;
import io.asyncwatch.detect.calls.LatencySketch;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Latency tails per (service, destination): p50, p99 and p99.9 of each call window from a mergeable DDSketch
 * ({@link LatencySketch}, 1 % relative error), the seeds' "truth panel" as a metric, and {@code LATENCY_TAIL}
 * when p99 is 10x (ALERT) or 100x (PAGE) the median and also well above the path's own usual tail.
 */
public final class LatencyTail implements Detector {

    public static final String NAME = "latency-tail";
    public static final String METRIC = "latency";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** A judged path window, or (service null) the judging task's clock tick. */
    record Judged(String service, String layer, String destination, long windowStart, long windowEnd,
                  CallStats stats, double p50, double p99, double p999, TailMath.Judgement judgement, String source,
                  long tick) {
        static Judged tick(String source, long time) {
            return new Judged(null, null, null, 0, 0, null, 0, 0, 0, null, source, time);
        }

        boolean isTick() {
            return service == null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return LatencyTailSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.LATENCY_TAIL, AlertPolicy.windowed(
                config.settings(CallWindowSettings.SPEC).windowMs(), AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(CallWindowSettings.SPEC).windowMs() + CallWindows.closeAfterMs(config);
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        LatencyTailSettings s = config.settings(LatencyTailSettings.SPEC);
        KStream<String, Judged> judged = CallWindows.byService(inputs, config)
                .process(new LatencyTailProcessor.Supplier(s, inputs.stores()), Named.as(NAME));
        KStream<String, Metric> metrics = judged
                .filter((k, j) -> !j.isTick(), Named.as(NAME + "-judged"))
                .map((k, j) -> {
                    Metric m = metric(j);
                    return KeyValue.pair(m.seriesKey(), m);
                }, Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = judged
                .map((k, j) -> {
                    Finding f = j.isTick() ? Finding.tick(AlertType.LATENCY_TAIL, j.source(), j.tick()) : finding(j);
                    return KeyValue.pair(f.fingerprint(), f);
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    static Map<String, String> labels(Judged j) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", j.service());
        labels.put("destination", j.destination().isEmpty() ? "(none)" : j.destination());
        return labels;
    }

    static Metric metric(Judged j) {
        CallStats c = j.stats();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("calls", (double) c.attempts);
        values.put("p50Ms", j.p50());
        values.put("p99Ms", j.p99());
        values.put("p999Ms", j.p999());
        values.put("maxMs", Math.max(0, c.slowestMs));
        values.put("tailRatio", j.judgement().ratio());
        if (!Double.isNaN(j.judgement().usualP999())) {
            values.put("usualP999Ms", j.judgement().usualP999());
        }
        values.put("aboveTimeoutShare", c.withTimeout == 0 ? 0 : (double) c.aboveTimeout / c.withTimeout);
        values.put("timeouts", (double) c.timeouts);
        values.put("lateEvents", (double) c.late);
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("verdict", j.judgement().verdict().name());
        if (j.layer() != null) {
            attributes.put("layer", j.layer());
        }
        if (j.judgement().severity() != null) {
            attributes.put("severity", j.judgement().severity().name());
        }
        return new Metric(METRIC, labels(j), j.windowStart(), j.windowEnd(), values, attributes);
    }

    static Finding finding(Judged j) {
        TailMath.Judgement t = j.judgement();
        CallStats c = j.stats();
        Map<String, String> subject = labels(j);
        if (j.layer() != null) {
            subject.put("layer", j.layer());
        }
        String fingerprint = Finding.fingerprint(AlertType.LATENCY_TAIL, labels(j));
        String path = j.service() + " -> " + subject.get("destination");
        String span = TIME.format(Instant.ofEpochMilli(j.windowStart())) + "-"
                + TIME.format(Instant.ofEpochMilli(j.windowEnd())) + " UTC";
        String aboveTimeout = c.withTimeout == 0 ? "no timeout configured"
                : String.format(Locale.ROOT, "%s of calls reached their %s timeout",
                pct((double) c.aboveTimeout / c.withTimeout), ms(c.timeoutMsMax));
        String truth = String.format(Locale.ROOT, "p50 %s, p99 %s, p99.9 %s, %s", ms(j.p50()), ms(j.p99()),
                ms(j.p999()), aboveTimeout);
        String summary;
        if (t.severity() != null) {
            summary = String.format(Locale.ROOT,
                    "Latency tail on %s: p99 %s is %.0fx the median %s in %s (%s at >= %.0fx), above the"
                            + " path's usual p99.9 of %s; p99.9 %s, %s (%d calls)",
                    path, ms(j.p99()), t.ratio(), ms(j.p50()), span, t.severity(), t.threshold(), ms(t.usualP999()),
                    ms(j.p999()), aboveTimeout, c.attempts);
        } else {
            summary = String.format(Locale.ROOT, "%s in %s: %s (%s)", path, span, truth,
                    t.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "truth panel %s to %s: %s over %d calls",
                Instant.ofEpochMilli(j.windowStart()), Instant.ofEpochMilli(j.windowEnd()), truth, c.attempts));
        evidence.add(Double.isNaN(t.usualP999()) ? "no baseline yet"
                : String.format(Locale.ROOT, "usual extreme of this path: p99.9 %s over its trailing hour of calls"
                + " (windows judged a tail left out)", ms(t.usualP999())));
        evidence.add(String.format(Locale.ROOT, "slowest call: %s (%s)", c.slowestId, ms(c.slowestMs)));
        evidence.add(String.format(Locale.ROOT, "outcomes: %d success, %d timeout, %d error", c.success, c.timeouts,
                c.errors));
        evidence.add("quantiles from a DDSketch: within 1% of the true value");
        if (c.late > 0) {
            evidence.add(c.late + " late events (beyond grace) were not counted in this window");
        }
        return new Finding(fingerprint, AlertType.LATENCY_TAIL, t.severity(), subject, summary, t.ratio(),
                t.threshold(), j.windowStart(), j.windowEnd(), List.copyOf(evidence), j.source());
    }

    static String ms(double v) {
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.1f s", v / 1000);
        }
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", v / 1000);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0f ms" : "%.1f ms", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
