package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.causality.LogicalClocks;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Logical clock health from clock readings and requests (the seeds' logical clock inspector): a node's Lamport clock or vector
 * component that goes backwards (ALERT), or jumps between consecutive readings by more than {@code alert-gap}
 * (ALERT) or {@code page-gap} (PAGE). One episode per node, resolved after the quiet period. Clock readings are
 * keyed by node, and a node's requests share its service's partition, so both run where they are read: nothing
 * crosses the broker. Readings and requests are judged as two sequences of the node's clock.
 */
public final class LogicalClockJumps implements Detector {

    public static final String NAME = "logical-clock";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return LogicalClockSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.LOGICAL_CLOCK_JUMP, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.eventTime().graceMs();
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        LogicalClockSettings s = config.settings(LogicalClockSettings.SPEC);
        long grace = config.eventTime().graceMs();
        KStream<String, Finding> fromClocks = inputs.clocks()
                .mapValues(NodeReading::of, Named.as(NAME + "-clock-readings"))
                .process(new LogicalClockProcessor.Supplier(s, grace, inputs.stores(), LogicalClockProcessor.STORE,
                        NAME, "clock readings"), Named.as(NAME + "-nodes"));
        // Requests stamped with their node's clocks, on their own partition: a node's requests all share its
        // service's partition (the contract keys requests by service).
        KStream<String, Finding> fromRequests = inputs.requestsWithTicks()
                .filter((k, a) -> a.isTick() || NodeReading.hasClock(a.event()), Named.as(NAME + "-clocked-requests"))
                .mapValues(NodeReading::ofRequest, Named.as(NAME + "-request-readings"))
                .process(new LogicalClockProcessor.Supplier(s, grace, inputs.stores(),
                        LogicalClockProcessor.REQUEST_STORE, NAME + "-requests", "requests"),
                        Named.as(NAME + "-request-nodes"));
        KStream<String, Finding> findings = fromClocks.merge(fromRequests, Named.as(NAME + "-merge"));
        KStream<String, Metric> metrics = findings
                .filter((k, f) -> !f.isTick(), Named.as(NAME + "-found"))
                .mapValues(LogicalClockJumps::metric, Named.as(NAME + "-metrics"))
                .selectKey((k, m) -> m.seriesKey(), Named.as(NAME + "-metric-key"));
        if (s.drift() > 0) {
            // Drift compares a cluster's nodes: clock readings with a vector clock (few), re-keyed by cluster.
            KStream<String, ClusterDriftProcessor.Out> drift = inputs.rekeyed(NAME + "-readings-by-cluster",
                    NodeReading.SERDE, NodeReading::isTick, () -> inputs.clocks()
                            .filter((k, a) -> a.isTick() || LogicalClocks.present(a.event().vectorClock()),
                                    Named.as(NAME + "-vector-readings"))
                            .map((k, a) -> KeyValue.pair(a.isTick() ? "" : a.event().cluster(), NodeReading.of(a)),
                                    Named.as(NAME + "-by-cluster")))
                    .process(new ClusterDriftProcessor.Supplier(s, grace, inputs.stores()),
                            Named.as(NAME + "-clusters"));
            findings = findings.merge(drift.filter((k, o) -> o.finding() != null, Named.as(NAME + "-drift-found"))
                    .mapValues(ClusterDriftProcessor.Out::finding, Named.as(NAME + "-drift-findings")),
                    Named.as(NAME + "-merge-drift"));
            metrics = metrics.merge(drift.filter((k, o) -> o.metric() != null, Named.as(NAME + "-drift-measured"))
                    .map((k, o) -> KeyValue.pair(o.metric().seriesKey(), o.metric()), Named.as(NAME + "-drift-metrics")),
                    Named.as(NAME + "-merge-drift-metrics"));
        }
        return new Outputs(findings, metrics, null);
    }

    static Finding finding(String node, String cluster, ClockHealth.Reading previous, ClockHealth.Reading next,
                           ClockHealth.Finding f, LogicalClockSettings s, String readings, String source) {
        boolean backwards = f.gap() < 0;
        Severity severity = !backwards && f.gap() > s.pageGap() ? Severity.PAGE : Severity.ALERT;
        String clock = f.component() == null ? "Lamport clock" : "vector component " + f.component();
        String summary = String.format(Locale.ROOT, "Logical clock %s on %s: %s went from %d to %d (%+d) between"
                        + " %s at %s and %s UTC%s", backwards ? "went backwards" : "JUMP", node, clock, f.from(),
                f.to(), f.gap(), readings, TIME.format(Instant.ofEpochMilli(previous.timestamp())),
                TIME.format(Instant.ofEpochMilli(next.timestamp())),
                backwards ? ": a restart, a reset or a bad merge (or the node's wall clock stepped back, which"
                        + " reorders its events)" : String.format(Locale.ROOT, " (%s above %d)",
                        severity, severity == Severity.PAGE ? s.pageGap() : s.alertGap()));
        Map<String, String> subject = new TreeMap<>();
        subject.put("node", node);
        if (cluster != null) {
            subject.put("cluster", cluster);
        }
        return new Finding(Finding.fingerprint(AlertType.LOGICAL_CLOCK_JUMP, Map.of("node", node)),
                AlertType.LOGICAL_CLOCK_JUMP, severity, subject, summary, Math.abs(f.gap()),
                severity == Severity.PAGE ? s.pageGap() : backwards ? 0 : s.alertGap(), previous.timestamp(),
                next.timestamp(), List.of("readings " + previous.eventId() + " -> " + next.eventId()), source);
    }

    static Finding drift(String cluster, ClockHealth.Deviation dev, Map<String, Map<String, Long>> latest,
                         LogicalClockSettings s, long start, long end, String source) {
        String summary = String.format(Locale.ROOT, "Logical clock drift on %s (cluster %s): its vector component %s"
                        + " is %d, %+d from the cluster's median %d at %s UTC (WARN beyond %d): %s", dev.node(),
                cluster, dev.component(), dev.value(), dev.deviation(), dev.median(),
                TIME.format(Instant.ofEpochMilli(end)), s.drift(), dev.deviation() < 0
                        ? "it is not hearing " + dev.component() + ": it has seen fewer of its events than the other"
                                + " nodes have (messages from " + dev.component() + " lost or delayed on their way)"
                        : "it counts more of " + dev.component() + "'s events than the other nodes have seen (a bad"
                                + " merge or a corrupted clock)");
        Map<String, String> subject = new TreeMap<>();
        subject.put("node", dev.node());
        subject.put("cluster", cluster);
        subject.put("rule", "drift");
        List<String> evidence = new java.util.ArrayList<>();
        latest.forEach((node, vc) -> evidence.add(node + ": " + new TreeMap<>(vc)));
        return new Finding(Finding.fingerprint(AlertType.LOGICAL_CLOCK_JUMP, Map.of("node", dev.node(),
                "rule", "drift")), AlertType.LOGICAL_CLOCK_JUMP, Severity.WARN, subject, summary,
                Math.abs(dev.deviation()), s.drift(), start, end, List.copyOf(evidence), source);
    }

    static Metric metric(Finding f) {
        return new Metric("logical_clock_gap", Map.of("node", f.subject().get("node")), f.windowStart(),
                f.windowEnd(), Map.of("gap", f.value()), Map.of("summary", f.summary()));
    }
}
