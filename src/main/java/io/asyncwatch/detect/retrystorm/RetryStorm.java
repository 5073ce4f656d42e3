package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.time.EventTimeSettings;
import io.asyncwatch.time.Watermarks;
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
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Retry storms: per service, the retry share of each 1-minute window against its own trailing hour.
 *
 * <p>Shape: requests are pre-aggregated per (service, window) in the input partitions' tasks
 * ({@link RetryPartialsProcessor}), only those partial counts are re-keyed by service, and
 * {@link RetryStormProcessor} merges and judges them. Every judged window becomes a metric point
 * ({@code retry_multiplier}) and a finding (firing or clear) for the alert stage.
 */
public final class RetryStorm implements Detector {

    public static final String NAME = "retry-storm";
    public static final String METRIC = "retry_multiplier";

    /** Out of the ingest-side pre-aggregation: a partial count, or a late event's dead letter. */
    record Partial(RetryDelta delta, DeadLetter late) {
        static Partial delta(RetryDelta d) {
            return new Partial(d, null);
        }

        static Partial late(DeadLetter l) {
            return new Partial(null, l);
        }
    }

    /** Out of the judge task {@code source}: a closed window, a count of services over the cap, or a clock tick. */
    record Output(ClosedWindow window, long overflow, long cap, long tick, String source) {
        static Output window(ClosedWindow w, String source) {
            return new Output(w, 0, 0, 0, source);
        }

        /** {@code time}: the judge's clock when the overflow was counted (kept in the tick field). */
        static Output overflow(long n, long cap, String source, long time) {
            return new Output(null, n, cap, time, source);
        }

        static Output tick(long time, String source) {
            return new Output(null, 0, 0, time, source);
        }

        boolean isTick() {
            return window == null && overflow == 0;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return RetryStormSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.RETRY_STORM, AlertPolicy.windowed(config.settings(RetryStormSettings.SPEC).windowMs(),
                AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    /**
     * Windows close after grace plus one flush interval of the partial counts. The flush interval was the margin for
     * the last flush while the judge followed its newest count; it is kept now that the judge follows the ticks sent
     * after each flush, so that the same input closes the same windows as before.
     */
    static long closeAfterMs(EventTimeSettings time) {
        return time.graceMs() + RetryPartialsProcessor.FLUSH.toMillis();
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        RetryStormSettings s = config.settings(RetryStormSettings.SPEC);
        return s.windowMs() + closeAfterMs(config.eventTime());
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        RetryStormSettings s = config.settings(RetryStormSettings.SPEC);
        EventTimeSettings time = config.eventTime();
        Map<String, KStream<String, Partial>> partials = inputs.requestsWithTicks()
                .process(new RetryPartialsProcessor.Supplier(s, time.graceMs(), inputs.stores()),
                        Named.as(NAME + "-partials"))
                .split(Named.as(NAME + "-partials-"))
                .branch((k, v) -> v.delta() != null, Branched.as("counts"))
                .defaultBranch(Branched.as("late"));
        KStream<String, DeadLetter> late = partials.get(NAME + "-partials-late")
                .mapValues(Partial::late, Named.as(NAME + "-late-events"));
        KStream<String, RetryDelta> deltas = inputs.rekeyed(NAME + "-counts-by-service", RetryDelta.SERDE,
                RetryDelta::isTick, Watermarks.LIGHT_STAGE_PARTITIONS, () -> partials.get(NAME + "-partials-counts")
                        .mapValues(Partial::delta, Named.as(NAME + "-counts")));

        KStream<String, Output> judged = deltas.process(new RetryStormProcessor.Supplier(s, closeAfterMs(time),
                inputs.stores()), Named.as(NAME));
        KStream<String, Metric> metrics = judged
                .filter((k, o) -> !o.isTick(), Named.as(NAME + "-measured"))
                .map((k, o) -> {
                    Metric m = o.window() != null ? metric(o.window()) : overflowMetric(o);
                    return KeyValue.pair(m.seriesKey(), m);
                }, Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = judged
                .filter((k, o) -> o.window() != null || o.isTick(), Named.as(NAME + "-windows"))
                .map((k, o) -> {
                    Finding f = o.isTick() ? Finding.tick(AlertType.RETRY_STORM, o.source(), o.tick())
                            : finding(o.window(), s, o.source());
                    return KeyValue.pair(f.fingerprint(), f);
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, late);
    }

    static Metric metric(ClosedWindow w) {
        Judgement j = w.judgement();
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", w.service());
        if (w.layer() != null) {
            labels.put("layer", w.layer());
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("attempts", (double) w.attempts());
        values.put("retries", (double) w.retries());
        values.put("retriesSucceeded", (double) w.retriesSucceeded());
        values.put("retriesTimedOut", (double) w.retriesTimedOut());
        values.put("retryShare", j.retryShare());
        values.put("baselineAttempts", (double) w.baselineAttempts());
        values.put("baselineShare", j.baselineShare());
        values.put("multiplier", j.multiplier());
        values.put("pValue", j.pValue());
        values.put("lateEvents", (double) w.lateEvents());
        values.put("clockSuspectEvents", (double) w.clockSuspect());
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("verdict", j.verdict().name());
        if (j.severity() != null) {
            attributes.put("severity", j.severity().name());
        }
        return new Metric(METRIC, labels, w.windowStart(), w.windowEnd(), values, attributes);
    }

    private static Metric overflowMetric(Output o) {
        return new Metric("state_overflow", Map.of("detector", NAME), o.tick(), o.tick(),
                Map.of("overflow", (double) o.overflow(), "cap", (double) o.cap()),
                Map.of("what", "services not tracked: asyncwatch.retry-storm.max-services reached"));
    }

    public static Finding finding(ClosedWindow w, RetryStormSettings s, String source) {
        Judgement j = w.judgement();
        Map<String, String> subject = new TreeMap<>();
        subject.put("service", w.service());
        if (w.layer() != null) {
            subject.put("layer", w.layer());
        }
        String fingerprint = Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", w.service()));
        String span = TIME.format(Instant.ofEpochMilli(w.windowStart())) + "-"
                + TIME.format(Instant.ofEpochMilli(w.windowEnd())) + " UTC";
        String summary;
        if (j.severity() != null) {
            summary = String.format(Locale.ROOT,
                    "Retry storm on %s (%s layer): %s of %d attempts were retries in %s, %.1fx its 1h baseline of %s"
                            + " (%s at >= %.0fx)",
                    w.service(), w.layer(), pct(j.retryShare()), w.attempts(), span, j.multiplier(),
                    pct(j.effectiveBaseline()), j.severity(), j.threshold());
        } else {
            summary = String.format(Locale.ROOT,
                    "%s retries at %s of %d attempts in %s, %.1fx its baseline of %s (%s)",
                    w.service(), pct(j.retryShare()), w.attempts(), span, j.multiplier(),
                    pct(j.effectiveBaseline()), j.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "window %s to %s: %d retries / %d attempts",
                Instant.ofEpochMilli(w.windowStart()), Instant.ofEpochMilli(w.windowEnd()), w.retries(), w.attempts()));
        evidence.add(String.format(Locale.ROOT, "baseline %s over %d attempts in the previous %d min%s",
                pct(j.baselineShare()), w.baselineAttempts(), s.baselineMs() / 60_000,
                j.baselineShare() < s.baselineFloor() ? " (floored at " + pct(s.baselineFloor()) + ")" : ""));
        evidence.add(String.format(Locale.ROOT, "chance of this many retries at the baseline share: p=%.2g",
                j.pValue()));
        if (!w.sampleRetryIds().isEmpty()) {
            evidence.add("retry attempts: " + String.join(", ", w.sampleRetryIds()));
        }
        if (w.clockSuspect() > 0) {
            evidence.add(w.clockSuspect() + " events had a sender timestamp too far from the record time");
        }
        if (w.lateEvents() > 0) {
            evidence.add(w.lateEvents() + " late events (beyond grace) were not counted in their windows");
        }
        return new Finding(fingerprint, AlertType.RETRY_STORM, j.severity(), subject, summary, j.multiplier(),
                j.threshold(), w.windowStart(), w.windowEnd(), List.copyOf(evidence), source);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
