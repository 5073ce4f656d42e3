package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.ingest.Origin;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.RetryWindowMetric;
import io.asyncwatch.serde.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Wires the retry-storm detector: requests keyed by service in; findings (keyed by fingerprint), the per-window
 * multiplier series and late events out.
 */
public final class RetryStorm {

    public record Outputs(
            KStream<String, Finding> findings,
            KStream<String, RetryWindowMetric> metrics,
            KStream<String, DeadLetter> lateEvents) {
    }

    /** Either a judged window or a late event (with where it entered, when known); exactly one is set. */
    record Output(ClosedWindow window, RequestEvent late, String lateReason, Origin origin) {
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private RetryStorm() {
    }

    public static Outputs wire(KStream<String, RequestEvent> requestsByService, RetryStormSettings settings,
                               long graceMs, int calmWindowsToReport, boolean inMemoryStores,
                               String requestsTopic) {
        Map<String, KStream<String, Output>> split = requestsByService
                .process(new RetryStormProcessor.Supplier(settings, graceMs, calmWindowsToReport, inMemoryStores),
                        Named.as("retry-storm"))
                .split(Named.as("retry-storm-split-"))
                .branch((k, v) -> v.window() != null, Branched.as("windows"))
                .defaultBranch(Branched.as("late"));
        KStream<String, ClosedWindow> windows = split.get("retry-storm-split-windows")
                .mapValues(Output::window, Named.as("retry-storm-window"));
        KStream<String, RetryWindowMetric> metrics = windows
                .mapValues(RetryStorm::metric, Named.as("retry-storm-metrics"));
        KStream<String, Finding> findings = windows
                .filter((k, w) -> w.report(), Named.as("retry-storm-reportable"))
                .map((k, w) -> {
                    Finding f = finding(w, settings);
                    return org.apache.kafka.streams.KeyValue.pair(f.fingerprint(), f);
                }, Named.as("retry-storm-findings"));
        KStream<String, DeadLetter> late = split.get("retry-storm-split-late")
                .mapValues(o -> lateLetter(o, requestsTopic), Named.as("retry-storm-late-events"));
        return new Outputs(findings, metrics, late);
    }

    static RetryWindowMetric metric(ClosedWindow w) {
        Judgement j = w.judgement();
        return new RetryWindowMetric(RetryWindowMetric.NAME, w.service(), w.layer(), w.windowStart(), w.windowEnd(),
                w.attempts(), w.retries(), j.retryShare(), w.baselineAttempts(), j.baselineShare(), j.multiplier(),
                j.pValue(), j.severity(), j.verdict().name(), w.lateEvents(), w.clockSuspect());
    }

    public static Finding finding(ClosedWindow w, RetryStormSettings s) {
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
                    "%s retries back to %s of %d attempts in %s, %.1fx its baseline of %s (%s)",
                    w.service(), pct(j.retryShare()), w.attempts(), span, j.multiplier(),
                    pct(j.effectiveBaseline()), j.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "window %s to %s: %d retries / %d attempts",
                Instant.ofEpochMilli(w.windowStart()), Instant.ofEpochMilli(w.windowEnd()), w.retries(), w.attempts()));
        evidence.add(String.format(Locale.ROOT, "baseline %s over %d attempts in the previous %d min%s",
                pct(j.baselineShare()), w.baselineAttempts(), s.baselineMs() / 60_000,
                j.baselineShare() < s.baselineFloor() ? " (floored at " + pct(s.baselineFloor()) + ")" : ""));
        evidence.add(String.format(Locale.ROOT, "chance of this many retries at the baseline share: p=%.2g", j.pValue()));
        if (!w.sampleRetryIds().isEmpty()) {
            evidence.add("retry attempts: " + String.join(", ", w.sampleRetryIds()));
        }
        if (w.clockSuspect() > 0) {
            evidence.add(w.clockSuspect() + " events had a sender timestamp too far from the record time");
        }
        return new Finding(fingerprint, AlertType.RETRY_STORM, j.severity(), subject, summary, j.multiplier(),
                j.threshold(), w.windowStart(), w.windowEnd(), List.copyOf(evidence));
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** The value is the event re-encoded as JSON: the original bytes are not carried past ingest. */
    private static DeadLetter lateLetter(Output o, String requestsTopic) {
        byte[] json = Json.write(o.late());
        Origin origin = o.origin();
        return new DeadLetter(origin != null ? origin.topic() : requestsTopic,
                origin != null ? origin.partition() : null, origin != null ? origin.offset() : null,
                o.late().timestamp(), o.late().service(), json,
                new String(json, java.nio.charset.StandardCharsets.UTF_8), o.lateReason());
    }
}
