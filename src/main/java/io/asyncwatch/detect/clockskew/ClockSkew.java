package io.asyncwatch.detect.clockskew;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.time.Broadcast;
import io.asyncwatch.time.Watermarks;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
 * Clock skew and drift per cluster: the seeds' clock skew heatmap, continuously. Each node's offset from its cluster's
 * median offset ({@code CLOCK_SKEW} WARN > 100 ms, ALERT > 200 ms, PAGE > 500 ms), its drift ({@code CLOCK_DRIFT} WARN
 * > 50 ppm), repeated failed syncs, and for nodes without clock readings an estimate from their heartbeats (WARN at
 * most); see {@link ClusterClocks}.
 *
 * <p>Shape: clock readings and heartbeats (few) are projected and re-keyed by cluster; one task judges each cluster per
 * window once every upstream partition has passed it.
 */
public final class ClockSkew implements Detector {

    public static final String NAME = "clock-skew";
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return ClockSkewSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        long w = config.settings(ClockSkewSettings.SPEC).windowMs();
        return Map.of(AlertType.CLOCK_SKEW, AlertPolicy.windowed(w, AlertPolicy.Direction.HIGHER_IS_WORSE),
                AlertType.CLOCK_DRIFT, AlertPolicy.windowed(w, AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(ClockSkewSettings.SPEC).windowMs() + config.eventTime().graceMs();
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        ClockSkewSettings s = config.settings(ClockSkewSettings.SPEC);
        KStream<String, Sample> readings = inputs.clocks().map((k, a) -> a.isTick()
                ? KeyValue.pair("", Sample.tick(a.source(), a.clock()))
                : KeyValue.pair(a.event().cluster(), Sample.of(a.event())), Named.as(NAME + "-readings"));
        KStream<String, Sample> beats = inputs.heartbeats().map((k, a) -> a.isTick()
                ? KeyValue.pair("", Sample.tick(a.source(), a.clock()))
                : KeyValue.pair(a.event().cluster(), Sample.of(a.event(), a.recordTime())), Named.as(NAME + "-beats"));
        KStream<String, ClockSkewProcessor.Out> out = readings.merge(beats, Named.as(NAME + "-samples"))
                .repartition(Repartitioned.with(Serdes.String(), Sample.SERDE).withName(NAME + "-by-cluster")
                        .withNumberOfPartitions(Watermarks.LIGHT_STAGE_PARTITIONS)
                        .withStreamPartitioner(new Broadcast<>(Sample::isTick)))
                .process(new ClockSkewProcessor.Supplier(s, config.eventTime().graceMs(), inputs.stores()),
                        Named.as(NAME + "-clusters"));
        KStream<String, Metric> metrics = out
                .flatMap((k, o) -> o.isTick() ? List.<KeyValue<String, Metric>>of()
                        : metrics(o, s).stream().map(m -> KeyValue.pair(m.seriesKey(), m)).toList(),
                        Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = out
                .flatMap((k, o) -> {
                    List<Finding> fs = o.isTick()
                            ? List.of(Finding.tick(AlertType.CLOCK_SKEW, o.source(), o.tick()),
                                    Finding.tick(AlertType.CLOCK_DRIFT, o.source(), o.tick()))
                            : findings(o, s);
                    return fs.stream().map(f -> KeyValue.pair(f.fingerprint(), f)).toList();
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    /** The heatmap rows: {@code clock_offset{cluster,node}}. */
    static List<Metric> metrics(ClockSkewProcessor.Out o, ClockSkewSettings s) {
        List<Metric> out = new ArrayList<>();
        for (ClusterClocks.Row r : o.rows()) {
            Map<String, Double> values = new TreeMap<>();
            values.put("offsetMs", r.offsetMs());
            values.put("fromMedianMs", r.fromMedianMs());
            if (!Double.isNaN(r.driftPpm())) {
                values.put("driftPpm", r.driftPpm());
            }
            values.put("syncFailures", (double) r.syncFailures());
            out.add(new Metric("clock_offset", Map.of("cluster", o.cluster(), "node", r.node()), o.windowStart(),
                    o.windowStart() + s.windowMs(), values, Map.of("status", r.status(), "basis", r.basis())));
        }
        return out;
    }

    static List<Finding> findings(ClockSkewProcessor.Out o, ClockSkewSettings s) {
        List<Finding> out = new ArrayList<>();
        long start = o.windowStart();
        long end = start + s.windowMs();
        String span = MINUTE.format(Instant.ofEpochMilli(start)) + "-" + MINUTE.format(Instant.ofEpochMilli(end))
                + " UTC";
        for (ClusterClocks.Row r : o.rows()) {
            Map<String, String> subject = new TreeMap<>();
            subject.put("cluster", o.cluster());
            subject.put("node", r.node());
            String print = Finding.fingerprint(AlertType.CLOCK_SKEW, subject);
            double abs = Math.abs(r.fromMedianMs());
            if (r.skew() == null) {
                out.add(new Finding(print, AlertType.CLOCK_SKEW, null, subject, "within " + s.warnMs() + " ms", abs,
                        s.warnMs(), start, end, List.of(), o.source()));
            } else if (r.basis().equals("heartbeats")) {
                out.add(new Finding(print, AlertType.CLOCK_SKEW, Severity.WARN, subject, String.format(Locale.ROOT,
                        "Clock skew on %s (%s), estimated from its heartbeats: it stamps them %s ms %s than the"
                                + " cluster's usual delivery delay says in %s; it publishes no clock readings, so this"
                                + " rests on delivery delays (lower severity)", r.node(), o.cluster(),
                        String.format(Locale.ROOT, "%.0f", Math.abs(r.offsetMs())),
                        r.offsetMs() > 0 ? "later" : "earlier", span),
                        abs, s.warnMs(), start, end, List.of("a node living in the future stamps its events ahead of"
                        + " their arrival; publish its NTP offset on asyncwatch.clocks for a direct measure"),
                        o.source()));
            } else {
                boolean median = r.basis().equals("clock-readings");
                out.add(new Finding(print, AlertType.CLOCK_SKEW, r.skew(), subject, String.format(Locale.ROOT,
                        "Clock skew on %s (%s): %s ms from the %s in %s (offset %s ms from the reference; %s above"
                                + " %d ms)", r.node(), o.cluster(), ClusterClocks.format(r.fromMedianMs()),
                        median ? "cluster's median" : "reference (too few nodes for a median)", span,
                        ClusterClocks.format(r.offsetMs()), r.skew(), threshold(r.skew(), s)), abs,
                        threshold(r.skew(), s), start, end, List.of(heatmap(o)), o.source()));
            }
            Map<String, String> drift = new TreeMap<>(subject);
            String driftPrint = Finding.fingerprint(AlertType.CLOCK_DRIFT, drift);
            if (r.drifting()) {
                out.add(new Finding(driftPrint, AlertType.CLOCK_DRIFT, Severity.WARN, drift, String.format(Locale.ROOT,
                        "Clock drift on %s (%s): %.1f ppm in %s (WARN above %s ppm): %.1f ms a minute", r.node(),
                        o.cluster(), r.driftPpm(), span, num(s.driftWarnPpm()), Math.abs(r.driftPpm()) * 0.06),
                        Math.abs(r.driftPpm()), s.driftWarnPpm(), start, end, List.of(), o.source()));
            } else if (!r.basis().equals("heartbeats") && !Double.isNaN(r.driftPpm())) {
                out.add(new Finding(driftPrint, AlertType.CLOCK_DRIFT, null, drift, "within range",
                        Double.isNaN(r.driftPpm()) ? 0 : Math.abs(r.driftPpm()), s.driftWarnPpm(), start, end,
                        List.of(), o.source()));
            }
            Map<String, String> sync = new TreeMap<>(subject);
            sync.put("rule", "sync-failed");
            String syncPrint = Finding.fingerprint(AlertType.CLOCK_DRIFT, sync);
            if (r.syncFailing()) {
                int failures = Math.max(r.syncFailures(), r.syncStreak());
                out.add(new Finding(syncPrint, AlertType.CLOCK_DRIFT, Severity.WARN, sync, String.format(Locale.ROOT,
                        "NTP sync failing on %s (%s): %d readings with syncOk=false %s: its clock is running free",
                        r.node(), o.cluster(), failures, r.syncStreak() > 0 ? "in a row, the last in " + span
                                : "in " + span), failures, s.syncFailures(), start, end, List.of(), o.source()));
            } else if (!r.basis().equals("heartbeats")) {
                out.add(new Finding(syncPrint, AlertType.CLOCK_DRIFT, null, sync, "syncing", r.syncFailures(),
                        s.syncFailures(), start, end, List.of(), o.source()));
            }
        }
        return out;
    }

    private static long threshold(Severity severity, ClockSkewSettings s) {
        return switch (severity) {
            case PAGE -> s.pageMs();
            case ALERT -> s.alertMs();
            default -> s.warnMs();
        };
    }

    /** "heatmap: orders-1 +3 ms OK, orders-2 -1 ms OK, orders-3 +612 ms PAGE" */
    private static String heatmap(ClockSkewProcessor.Out o) {
        StringBuilder sb = new StringBuilder("heatmap (ms from median):");
        for (ClusterClocks.Row r : o.rows()) {
            sb.append(' ').append(r.node()).append(' ').append(ClusterClocks.format(r.fromMedianMs())).append(' ')
                    .append(r.status()).append(',');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
