package io.asyncwatch.detect.heartbeats;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.calls.LatencySketch;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.time.Watermarks;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Heartbeats: message loss from sequence gaps ({@code HEARTBEAT_LOSS}), silence and false death
 * ({@code FALSE_DEATH}), and split brain ({@code SPLIT_BRAIN}), per cluster ({@link ClusterView}).
 *
 * <p>Shape: heartbeats (few: one per node per interval) are projected with both timestamps, the sender's and the
 * record's, and re-keyed by cluster; one task judges each cluster on the slowest heartbeat partition's clock.
 */
public final class Heartbeats implements Detector {

    public static final String NAME = "heartbeats";
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return HeartbeatSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        long w = config.settings(HeartbeatSettings.SPEC).windowMs();
        return Map.of(AlertType.HEARTBEAT_LOSS, AlertPolicy.windowed(w, AlertPolicy.Direction.HIGHER_IS_WORSE),
                AlertType.SPLIT_BRAIN, AlertPolicy.windowed(w, AlertPolicy.Direction.HIGHER_IS_WORSE),
                AlertType.FALSE_DEATH, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(HeartbeatSettings.SPEC).windowMs() + config.eventTime().graceMs();
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        HeartbeatSettings s = config.settings(HeartbeatSettings.SPEC);
        KStream<String, ClusterProcessor.Out> out = inputs.heartbeats()
                .map((k, a) -> a.isTick() ? KeyValue.pair("", Beat.tick(a.source(), a.clock()))
                        : KeyValue.pair(a.event().cluster(), Beat.of(a.event(), a.recordTime())),
                        Named.as(NAME + "-project"))
                .repartition(org.apache.kafka.streams.kstream.Repartitioned
                        .with(org.apache.kafka.common.serialization.Serdes.String(), Beat.SERDE)
                        .withName(NAME + "-by-cluster")
                        .withNumberOfPartitions(Watermarks.LIGHT_STAGE_PARTITIONS)
                        .withStreamPartitioner(new io.asyncwatch.time.Broadcast<>(Beat::isTick)))
                .process(new ClusterProcessor.Supplier(s, config.eventTime().graceMs(), inputs.stores()),
                        Named.as(NAME + "-clusters"));
        KStream<String, Metric> metrics = out
                .flatMap((k, o) -> o.isTick() ? List.<KeyValue<String, Metric>>of()
                        : metrics(o, s).stream().map(m -> KeyValue.pair(m.seriesKey(), m)).toList(),
                        Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = out
                .flatMap((k, o) -> {
                    List<Finding> fs = o.isTick() ? ticks(o) : findings(o, s);
                    return fs.stream().map(f -> KeyValue.pair(f.fingerprint(), f)).toList();
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    private static List<Finding> ticks(ClusterProcessor.Out o) {
        return List.of(Finding.tick(AlertType.HEARTBEAT_LOSS, o.source(), o.tick()),
                Finding.tick(AlertType.SPLIT_BRAIN, o.source(), o.tick()),
                Finding.tick(AlertType.FALSE_DEATH, o.source(), o.tick()));
    }

    static List<Metric> metrics(ClusterProcessor.Out o, HeartbeatSettings s) {
        List<Metric> out = new ArrayList<>();
        String cluster = o.cluster();
        if (o.outcome() instanceof ClusterView.Suspected x) {
            out.add(new Metric("heartbeat_suspected", Map.of("cluster", cluster,
                    "node", x.node()), x.lastHeard(), x.at(), Map.of("silentMs", (double) x.silentMs(),
                    "intervalMs", (double) x.intervalMs(), "timeoutMs", s.suspectAfter() * x.intervalMs()),
                    Map.of("lastHeard", Instant.ofEpochMilli(x.lastHeard()).toString())));
        } else if (o.outcome() instanceof ClusterView.Closed c) {
            {
                ClusterView.Window w = c.window();
                long end = w.start + s.windowMs();
                long received = 0;
                long lost = 0;
                LatencySketch all = new LatencySketch();
                for (var e : w.nodes.entrySet()) {
                    ClusterView.NodeStats st = e.getValue();
                    received += st.received;
                    lost += st.lost;
                    all.merge(st.delays);
                    out.add(loss(cluster, e.getKey(), w.start, end, st.received, st.lost, st.restarts, st.late));
                    out.add(delay(cluster, e.getKey(), w.start, end, st.delays, st.aheadOfArrival));
                }
                out.add(loss(cluster, "*", w.start, end, received, lost,
                        w.nodes.values().stream().mapToLong(x -> x.restarts).sum(),
                        w.nodes.values().stream().mapToLong(x -> x.late).sum()));
                out.add(delay(cluster, "*", w.start, end, all,
                        w.nodes.values().stream().mapToLong(x -> x.aheadOfArrival).sum()));
                out.add(new Metric("heartbeat_leaders", Map.of("cluster", cluster), w.start, end,
                        Map.of("leaders", (double) w.leaders.size(), "splitBrain", w.splits.isEmpty() ? 0.0 : 1.0),
                        Map.of("leaders", String.join(",", w.leaders))));
            }
        }
        return out;
    }

    private static Metric loss(String cluster, String node, long start, long end, long received, long lost,
                               long restarts, long late) {
        return new Metric("heartbeat_loss", Map.of("cluster", cluster, "node", node), start, end,
                Map.of("received", (double) received, "lost", (double) lost, "lossRate", rate(received, lost),
                        "restarts", (double) restarts, "lateArrivals", (double) late), Map.of());
    }

    private static Metric delay(String cluster, String node, long start, long end, LatencySketch d, long ahead) {
        Map<String, Double> values = new TreeMap<>();
        values.put("count", (double) d.count());
        values.put("aheadOfArrival", (double) ahead);
        if (d.count() > 0) {
            values.put("p50Ms", d.quantile(0.5));
            values.put("p99Ms", d.quantile(0.99));
            values.put("p999Ms", d.quantile(0.999));
        }
        return new Metric("heartbeat_delay", Map.of("cluster", cluster, "node", node), start, end, values, Map.of());
    }

    static double rate(long received, long lost) {
        return received + lost == 0 ? 0 : (double) lost / (received + lost);
    }

    static List<Finding> findings(ClusterProcessor.Out o, HeartbeatSettings s) {
        String cluster = o.cluster();
        if (o.outcome() instanceof ClusterView.FalseDeath x) {
            return List.of(falseDeath(cluster, x, s, o.source()));
        }
        if (o.outcome() instanceof ClusterView.Closed c) {
            return windowFindings(cluster, c.window(), s, o.source());
        }
        return List.of(); // a suspicion is a metric; the alert comes if the node returns (false death)
    }

    static Finding falseDeath(String cluster, ClusterView.FalseDeath x, HeartbeatSettings s, String source) {
        double timeout = s.suspectAfter() * x.intervalMs();
        // The silence the cluster lived through: by arrival (a step of the node's own clock is no silence).
        long gap = x.arrivalGapMs();
        String summary = String.format(Locale.ROOT, "False death of %s (%s): silent %.1f s, %.1fx its %.1f s heartbeat"
                        + " interval and beyond the failure detector's %.1f s (%s x interval), but it came back with"
                        + " its sequence continuing%s: it was alive all along. Set the detection timeout above the"
                        + " network's p99 delay", x.node(), cluster, gap / 1000.0, (double) gap / x.intervalMs(),
                x.intervalMs() / 1000.0, timeout / 1000.0, num(s.suspectAfter()),
                x.missed() > 0 ? " (" + x.missed() + " heartbeats lost in between)" : "");
        List<String> evidence = new ArrayList<>();
        evidence.add("last heard " + INSTANT.format(Instant.ofEpochMilli(x.lastHeard())) + " UTC, back "
                + INSTANT.format(Instant.ofEpochMilli(x.back())) + " UTC");
        evidence.add(String.format(Locale.ROOT, "gap by the node's own timestamps %.1f s, by arrival %.1f s",
                x.gapMs() / 1000.0, x.arrivalGapMs() / 1000.0));
        evidence.add(x.termBefore() == x.term() ? "same term " + x.term() + ": no election happened meanwhile"
                : "term " + x.termBefore() + " -> " + x.term() + ": an election happened while it was thought dead");
        Map<String, String> subject = new TreeMap<>();
        subject.put("cluster", cluster);
        subject.put("node", x.node());
        return new Finding(Finding.fingerprint(AlertType.FALSE_DEATH, subject), AlertType.FALSE_DEATH, Severity.ALERT,
                subject, summary, (double) gap / x.intervalMs(), s.suspectAfter(), x.lastHeard(), x.back(),
                List.copyOf(evidence), source);
    }

    static List<Finding> windowFindings(String cluster, ClusterView.Window w, HeartbeatSettings s, String source) {
        List<Finding> out = new ArrayList<>();
        long end = w.start + s.windowMs();
        String span = MINUTE.format(Instant.ofEpochMilli(w.start)) + "-" + MINUTE.format(Instant.ofEpochMilli(end))
                + " UTC";
        Map<String, String> clusterSubject = Map.of("cluster", cluster);
        String splitPrint = Finding.fingerprint(AlertType.SPLIT_BRAIN, clusterSubject);
        if (w.splits.isEmpty()) {
            out.add(new Finding(splitPrint, AlertType.SPLIT_BRAIN, null, clusterSubject,
                    w.leaders.size() <= 1 ? "one leader" : "leaders changed without overlapping", w.leaders.size(), 2,
                    w.start, end, List.of(), source));
        } else {
            String summary = String.format(Locale.ROOT, "Split brain in %s: %d nodes claim to lead in %s (%s)",
                    cluster, w.splitNodeCount(), span, String.join(", ", w.splitNodes));
            List<String> evidence = new ArrayList<>(w.splitLines());
            evidence.add("leaders seen in the window: " + String.join(", ", w.leaders));
            out.add(new Finding(splitPrint, AlertType.SPLIT_BRAIN, Severity.PAGE, clusterSubject, summary,
                    w.splitNodeCount(), 2, w.start, end, List.copyOf(evidence), source));
        }
        long lossyNodes = w.nodes.values().stream().filter(x -> x.lost > 0).count();
        long received = w.nodes.values().stream().mapToLong(x -> x.received).sum();
        long lost = w.nodes.values().stream().mapToLong(x -> x.lost).sum();
        String clusterLoss = Finding.fingerprint(AlertType.HEARTBEAT_LOSS, clusterSubject);
        if (lossyNodes > 1 && rate(received, lost) > s.lossWarn()) {
            out.add(new Finding(clusterLoss, AlertType.HEARTBEAT_LOSS, Severity.WARN, clusterSubject,
                    String.format(Locale.ROOT, "Heartbeat loss across %s: %d of %d heartbeats lost in %s (%.1f%%; WARN"
                                    + " above %s) from %d nodes: the network, not one node", cluster, lost,
                            received + lost, span, 100 * rate(received, lost), num(s.lossWarn()), lossyNodes),
                    rate(received, lost), s.lossWarn(), w.start, end, List.of(), source));
        } else {
            out.add(new Finding(clusterLoss, AlertType.HEARTBEAT_LOSS, null, clusterSubject, "no cluster-wide loss",
                    rate(received, lost), s.lossWarn(), w.start, end, List.of(), source));
        }
        for (var e : w.nodes.entrySet()) {
            ClusterView.NodeStats st = e.getValue();
            double rate = rate(st.received, st.lost);
            Map<String, String> subject = new TreeMap<>();
            subject.put("cluster", cluster);
            subject.put("node", e.getKey());
            String print = Finding.fingerprint(AlertType.HEARTBEAT_LOSS, subject);
            if (st.lost > 0 && rate > s.lossWarn()) {
                String summary = String.format(Locale.ROOT, "Heartbeat loss from %s (%s): %d of %d heartbeats lost"
                                + " in %s (%.1f%%; WARN above %s), judged by gaps in its sequence", e.getKey(),
                        cluster, st.lost, st.received + st.lost, span, 100 * rate, num(s.lossWarn()));
                out.add(new Finding(print, AlertType.HEARTBEAT_LOSS, Severity.WARN, subject, summary, rate,
                        s.lossWarn(), w.start, end, List.of(String.format(Locale.ROOT,
                        "delivery delay (record time - sender time) p50 %.0f ms, p99 %.0f ms", st.delays.quantile(0.5),
                        st.delays.quantile(0.99))), source));
            } else {
                out.add(new Finding(print, AlertType.HEARTBEAT_LOSS, null, subject, "no loss", rate, s.lossWarn(),
                        w.start, end, List.of(), source));
            }
        }
        return out;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
