package io.asyncwatch.detect.cascade;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.calls.CallWindowSettings;
import io.asyncwatch.detect.timeouts.TimeoutMath;
import io.asyncwatch.detect.timeouts.Timeouts;
import io.asyncwatch.detect.traces.Span;
import io.asyncwatch.detect.traces.Traces;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.time.Broadcast;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Cascade timeouts seen on traces ({@code CASCADE_TIMEOUT} at ALERT): a caller whose timeout is below what its
 * callee's own calls may take (the sum of their timeouts down the chain, {@link TraceJudge}) or below what they
 * actually took on that trace. Only request events with trace fields are re-keyed by trace, projected to the few
 * fields this needs; traces are gathered for {@code horizon-ms}; cascading callers are counted per (caller,
 * destination) and window. Paths without traces are judged from configured timeouts by {@link Timeouts}.
 */
public final class CascadeTimeout implements Detector {

    public static final String NAME = "cascade-timeout";
    public static final String METRIC = "cascade_timeouts";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** A closed window of one (caller, destination), or (service null) the windows task's clock tick. */
    record Closed(String service, String destination, long windowStart, long windowEnd,
                  CascadeCounts counts, String source, long tick) {
        static Closed tick(String source, long time) {
            return new Closed(null, null, 0, 0, null, source, time);
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
        return CascadeSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.CASCADE_TIMEOUT, Timeouts.cascadePolicy());
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(CallWindowSettings.SPEC).windowMs() + config.settings(CascadeSettings.SPEC).horizonMs()
                + config.eventTime().graceMs();
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        CascadeSettings s = config.settings(CascadeSettings.SPEC);
        long windowMs = config.settings(CallWindowSettings.SPEC).windowMs();
        KStream<String, Span> spans = Traces.spansByTrace(inputs);
        KStream<String, CascadePartial> hits = spans
                .process(new CascadeTraceProcessor.Supplier(s, windowMs, config.eventTime().graceMs(),
                                inputs.stores()), Named.as(NAME + "-traces"))
                .repartition(Repartitioned.with(Serdes.String(), CascadePartial.SERDE)
                        .withName(NAME + "-hits-by-caller")
                        .withNumberOfPartitions(Watermarks.LIGHT_STAGE_PARTITIONS)
                        .withStreamPartitioner(new Broadcast<>(CascadePartial::isTick)));
        KStream<String, Closed> windows = hits.process(
                new CascadeWindowsProcessor.Supplier(s, windowMs, config.eventTime().graceMs(), inputs.stores()),
                Named.as(NAME + "-windows"));
        KStream<String, Metric> metrics = windows
                .filter((k, c) -> !c.isTick(), Named.as(NAME + "-closed"))
                .map((k, c) -> {
                    Metric m = metric(c);
                    return KeyValue.pair(m.seriesKey(), m);
                }, Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = windows
                .map((k, c) -> {
                    Finding f = c.isTick() ? Finding.tick(AlertType.CASCADE_TIMEOUT, c.source(), c.tick())
                            : finding(c);
                    return KeyValue.pair(f.fingerprint(), f);
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    private static Map<String, String> labels(Closed c) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", c.service());
        labels.put("destination", c.destination().isEmpty() ? "(none)" : c.destination());
        return labels;
    }

    static Metric metric(Closed c) {
        CascadeCounts n = c.counts();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("attempts", (double) n.attempts);
        values.put("configured", (double) n.configured);
        values.put("observed", (double) n.observed);
        values.put("timeoutMs", (double) n.worst.timeoutMs());
        values.put("neededMs", (double) n.worst.neededMs());
        values.put("waitedMs", n.worst.waitedMs());
        return new Metric(METRIC, labels(c), c.windowStart(), c.windowEnd(), values,
                Map.of("chain", n.worst.chain()));
    }

    static Finding finding(Closed c) {
        CascadeCounts n = c.counts();
        CascadeHit w = n.worst;
        Map<String, String> subject = labels(c);
        if (n.layer != null) {
            subject.put("layer", n.layer);
        }
        String span = TIME.format(Instant.ofEpochMilli(c.windowStart())) + "-"
                + TIME.format(Instant.ofEpochMilli(c.windowEnd())) + " UTC";
        String dest = subject.get("destination");
        long budget = TimeoutMath.budget(List.of(w.neededMs()));
        String why = w.kind().equals(TraceJudge.Kind.CONFIGURED.name())
                ? String.format(Locale.ROOT, "its downstream chain may take %s", TraceJudge.ms(w.neededMs()))
                : String.format(Locale.ROOT, "%s spent %s on its own calls", dest, TraceJudge.ms(w.waitedMs()));
        String summary = String.format(Locale.ROOT,
                "Timeout cascade: %s gives %s %s but %s, on %d caller attempt%s in %s: %s; budget %s (sum(downstream) +"
                        + " 50%%)", c.service(), dest, TraceJudge.ms(w.timeoutMs()), why, n.attempts,
                n.attempts == 1 ? "" : "s", span, w.chain(), TraceJudge.ms(budget));
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "worst: trace %s, caller attempt %s: timeout %s, downstream"
                        + " timeouts %s, downstream waited %s", w.traceId(), w.eventId(), TraceJudge.ms(w.timeoutMs()),
                TraceJudge.ms(w.neededMs()), TraceJudge.ms(w.waitedMs())));
        evidence.add("traces: " + String.join(", ", n.sampleTraces));
        evidence.add(String.format(Locale.ROOT, "%d below the configured chain, %d below the time actually waited",
                n.configured, n.observed));
        Map<String, String> identity = labels(c);
        return new Finding(Finding.fingerprint(AlertType.CASCADE_TIMEOUT, identity), AlertType.CASCADE_TIMEOUT,
                Severity.ALERT, subject, summary, n.attempts, 1, c.windowStart(), c.windowEnd(), List.copyOf(evidence),
                c.source());
    }
}
