package io.asyncwatch.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.amplification.AmplificationSettings;
import io.asyncwatch.detect.clockskew.ClockSkewSettings;
import io.asyncwatch.detect.retrystorm.RetryStormSettings;
import io.asyncwatch.detect.timeouts.TimeoutSettings;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The post-mortem's plots, one per detector family, as Apache ECharts options built from the metric points the
 * detectors published (the dashboards of the seeds): each drawn around the windows of the alerts it explains, with
 * those episodes shaded and the thresholds drawn in.
 */
public final class Charts {

    /** One chart: its anchor, title, what it shows, the alert types it explains, and its ECharts option. */
    public record Chart(String id, String title, String caption, Set<AlertType> types, ObjectNode option) {
        /** Whether any series has a point. */
        public boolean hasPoints() {
            for (com.fasterxml.jackson.databind.JsonNode s : option.get("series")) {
                if (s.has("data") && s.get("data").size() > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final long MARGIN_MS = 15 * 60_000L;
    private static final int MAX_LINES = 8;
    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private final AsyncwatchConfig config;
    private final Map<String, List<Metric>> byName = new TreeMap<>();
    private final List<Alert> alerts;
    /** The dashboard's fixed window ({@code [from, to]}); null: around each chart's alerts (the report). */
    private final long[] window;

    Charts(AsyncwatchConfig config, List<Metric> metrics, List<Alert> alerts) {
        this(config, metrics, alerts, null);
    }

    private Charts(AsyncwatchConfig config, List<Metric> metrics, List<Alert> alerts, long[] window) {
        this.config = config;
        this.alerts = alerts;
        this.window = window;
        metrics.forEach(m -> byName.computeIfAbsent(m.metric(), k -> new ArrayList<>()).add(m));
    }

    /** Charts of the window {@code [from, to]} of event time, whatever the alerts (the live dashboard). */
    public static Charts window(AsyncwatchConfig config, List<Metric> metrics, List<Alert> alerts, long from, long to) {
        return new Charts(config, metrics, alerts, new long[] {from, to});
    }

    /** Every chart with points to draw or alerts to explain, in the order the seeds' dashboards go. */
    public List<Chart> all() {
        List<Chart> out = new ArrayList<>();
        add(out, retryStorms());
        add(out, amplification());
        add(out, latency());
        add(out, timeouts());
        add(out, clockSkew());
        add(out, causality());
        add(out, logicalClocks());
        add(out, conflicts());
        add(out, duplicates());
        add(out, cascades());
        add(out, heartbeats());
        return out;
    }

    private static void add(List<Chart> out, Chart c) {
        if (c != null) {
            out.add(c);
        }
    }

    public Chart retryStorms() {
        RetryStormSettings s = config.settings(RetryStormSettings.SPEC);
        Set<AlertType> types = Set.of(AlertType.RETRY_STORM);
        ObjectNode o = lines("retry_multiplier", m -> m.labels().get("service"), "multiplier", types, "× its 1 h baseline",
                false);
        if (o == null) {
            return null;
        }
        thresholds(o, List.of(new double[] {s.warnMultiplier()}, new double[] {s.pageMultiplier()}),
                List.of(s.warnMultiplier() + "× WARN", s.pageMultiplier() + "× PAGE"));
        return new Chart("retry-storm", "Retry storm radar", "Each service's retry share per minute against its own"
                + " hour before (the multiplier), with the WARN and PAGE lines.", types, o);
    }

    public Chart amplification() {
        AmplificationSettings s = config.settings(AmplificationSettings.SPEC);
        Set<AlertType> types = Set.of(AlertType.LAYER_AMPLIFICATION);
        ObjectNode o = lines("layer_amplification", m -> m.labels().get("layer"), "factor", types,
                "attempts per user intent vs usual", false);
        if (o == null) {
            return null;
        }
        thresholds(o, List.of(new double[] {s.alertFactor()}, new double[] {s.pageFactor()}),
                List.of(s.alertFactor() + "× ALERT (deepest layer)", s.pageFactor() + "× PAGE"));
        return new Chart("amplification", "Amplification per layer", "Attempts at each layer per user intent entering"
                + " the stack, against that layer's usual fan-out: a death spiral multiplies it layer after layer.",
                types, o);
    }

    public Chart latency() {
        Set<AlertType> types = Set.of(AlertType.LATENCY_TAIL);
        List<Metric> points = byName.getOrDefault("latency", List.of());
        if (points.isEmpty()) {
            return null;
        }
        // The paths that alerted, else the ones with the highest p99.
        Set<String> paths = new TreeSet<>();
        for (Alert a : relevant(types)) {
            paths.add(a.subject().get("service") + " → " + a.subject().get("destination"));
        }
        if (paths.isEmpty()) {
            Map<String, Double> worst = new TreeMap<>();
            points.forEach(m -> worst.merge(path(m), m.values().getOrDefault("p99Ms", 0.0), Math::max));
            worst.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(2)
                    .forEach(e -> paths.add(e.getKey()));
        }
        long[] range = range(types);
        ArrayNode series = J.arrayNode();
        for (String p : paths) {
            for (String[] q : new String[][] {{"p50Ms", "p50"}, {"p99Ms", "p99"}, {"p999Ms", "p99.9"}}) {
                ArrayNode data = J.arrayNode();
                // A log axis has no place for zero.
                points.stream().filter(m -> path(m).equals(p) && in(m, range) && m.values().getOrDefault(q[0], 0.0) > 0)
                        .sorted(Comparator.comparingLong(Metric::windowStart))
                        .forEach(m -> data.add(point(m.windowStart(), m.values().get(q[0]))));
                series.add(line(p + " " + q[1], data));
            }
        }
        ObjectNode o = base(range, "ms (log scale)", series);
        ((ObjectNode) o.get("yAxis")).put("type", "log");
        shade(o, types);
        return new Chart("latency", "Latency tails", "p50, p99 and p99.9 per minute of the calls on each path (a"
                + " mergeable DDSketch, 1 % relative error): a p99 far above the median is the tail that times out.",
                types, o);
    }

    public Chart timeouts() {
        TimeoutSettings s = config.settings(TimeoutSettings.SPEC);
        Set<AlertType> types = Set.of(AlertType.TIMEOUT_EFFECTIVENESS);
        ObjectNode o = lines("timeout_effectiveness", m -> m.labels().get("service"), "successShare", types,
                "share of attempts that succeeded", true);
        if (o == null) {
            return null;
        }
        thresholds(o, List.of(new double[] {s.warnSuccessShare()}), List.of("WARN below " + s.warnSuccessShare()));
        return new Chart("timeouts", "Timeout effectiveness", "Per service and minute, the share of attempts that"
                + " succeeded (the rest timed out or failed).", types, o);
    }

    public Chart clockSkew() {
        ClockSkewSettings s = config.settings(ClockSkewSettings.SPEC);
        Set<AlertType> types = Set.of(AlertType.CLOCK_SKEW, AlertType.CLOCK_DRIFT);
        List<Metric> points = byName.getOrDefault("clock_offset", List.of());
        if (points.isEmpty()) {
            return null;
        }
        long[] range = range(types);
        TreeSet<Long> windows = new TreeSet<>();
        TreeSet<String> nodes = new TreeSet<>();
        List<Metric> in = points.stream().filter(m -> in(m, range) && m.values().containsKey("fromMedianMs")).toList();
        in.forEach(m -> {
            windows.add(m.windowStart());
            nodes.add(m.labels().get("cluster") + " / " + m.labels().get("node"));
        });
        List<Long> xs = new ArrayList<>(windows);
        List<String> ys = new ArrayList<>(nodes);
        Map<Long, Integer> column = new HashMap<>();
        xs.forEach(x -> column.put(x, column.size()));
        Map<String, Integer> row = new HashMap<>();
        ys.forEach(y -> row.put(y, row.size()));
        ArrayNode data = J.arrayNode();
        in.forEach(m -> data.add(J.arrayNode().add(column.get(m.windowStart()))
                .add(row.get(m.labels().get("cluster") + " / " + m.labels().get("node")))
                .add(Math.round(m.values().get("fromMedianMs")))));
        ObjectNode o = J.objectNode();
        o.put("useUTC", true);
        o.putObject("tooltip").put("position", "top");
        o.putObject("grid").put("left", 160).put("right", 40).put("bottom", 70);
        ArrayNode xLabels = J.arrayNode();
        xs.forEach(x -> xLabels.add(HHMM.format(Instant.ofEpochMilli(x))));
        o.putObject("xAxis").put("type", "category").put("name", "UTC").set("data", xLabels);
        ArrayNode yLabels = J.arrayNode();
        ys.forEach(yLabels::add);
        o.putObject("yAxis").put("type", "category").set("data", yLabels);
        ObjectNode vm = o.putObject("visualMap");
        vm.put("type", "piecewise").put("orient", "horizontal").put("left", "center").put("bottom", 0);
        ArrayNode pieces = vm.putArray("pieces");
        double w = s.warnMs();
        double a = s.alertMs();
        double p = s.pageMs();
        pieces.add(piece(null, -p, "< -" + (long) p + " ms", "#b2182b"));
        pieces.add(piece(-p, -a, "-" + (long) p + " to -" + (long) a, "#ef8a62"));
        pieces.add(piece(-a, -w, "-" + (long) a + " to -" + (long) w, "#fddbc7"));
        pieces.add(piece(-w, w, "within " + (long) w + " ms", "#e6f5e6"));
        pieces.add(piece(w, a, (long) w + " to " + (long) a, "#fddbc7"));
        pieces.add(piece(a, p, (long) a + " to " + (long) p, "#ef8a62"));
        pieces.add(piece(p, null, "> " + (long) p + " ms", "#b2182b"));
        ObjectNode series = J.objectNode().put("type", "heatmap").put("name", "ms from the cluster median");
        series.set("data", data);
        series.putObject("label").put("show", xs.size() <= 40).put("fontSize", 9);
        o.putArray("series").add(series);
        return new Chart("clock-skew", "Clock skew heatmap", "Each node's offset from its cluster's median per minute"
                + " (ms), in the " + (long) w + " / " + (long) a + " / " + (long) p + " ms bands.", types, o);
    }

    public Chart causality() {
        Set<AlertType> types = Set.of(AlertType.CAUSALITY_VIOLATION);
        long[] range = range(types);
        ArrayNode series = J.arrayNode();
        // Per node where the effect happened (business-order violations included), then each business rule on its
        // own, not stacked on top: the same violations would be counted twice.
        stacked(series, byName.getOrDefault("causal_links", List.of()), m -> m.labels().get("node"), "violations",
                range);
        Map<String, ArrayNode> rules = new TreeMap<>();
        byName.getOrDefault("causality_business_order", List.of()).stream()
                .filter(m -> in(m, range) && m.values().getOrDefault("violations", 0.0) > 0)
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> rules.computeIfAbsent("of which " + m.labels().get("order"), k -> J.arrayNode())
                        .add(point((m.windowStart() + m.windowEnd()) / 2, m.values().get("violations"))));
        rules.forEach((name, data) -> series.add(J.objectNode().put("type", "scatter").put("name", name)
                .put("symbolSize", 10).set("data", data)));
        if (series.isEmpty() && relevant(types).isEmpty()) {
            return null;
        }
        ObjectNode o = base(range, "violations per window", series);
        shade(o, types);
        return new Chart("causality", "Causality violations", "Effects stamped before (or logically not after) their"
                + " causes, per node where they happened, and business operations out of order.", types, o);
    }

    public Chart logicalClocks() {
        Set<AlertType> types = Set.of(AlertType.LOGICAL_CLOCK_JUMP);
        long[] range = range(types);
        ArrayNode series = J.arrayNode();
        Map<String, ArrayNode> byNode = new TreeMap<>();
        byName.getOrDefault("logical_clock_gap", List.of()).stream().filter(m -> in(m, range))
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> byNode.computeIfAbsent(m.labels().get("node"), k -> J.arrayNode())
                        .add(point(m.windowStart(), m.values().getOrDefault("gap", 0.0))));
        byNode.forEach((node, data) -> series.add(J.objectNode().put("type", "scatter").put("name", node)
                .put("symbolSize", 10).set("data", data)));
        if (series.isEmpty() && relevant(types).isEmpty()) {
            return null;
        }
        ObjectNode o = base(range, "logical clock gap between readings", series);
        shade(o, types);
        return new Chart("logical-clock", "Logical clock jumps", "Gaps between a node's consecutive Lamport or"
                + " vector clock readings that crossed a threshold (negative: it went backwards).", types, o);
    }

    private Chart conflicts() {
        return bars("conflicts", "Concurrent writes", "Pairs of writes to one entity that did not see each other, per"
                + " window.", Set.of(AlertType.CONCURRENT_WRITE), "concurrent_writes",
                "conflicting write pairs per window", List.of(
                        new Bars(m -> "concurrent vector clocks", "vectorConflicts"),
                        new Bars(m -> "possible (same second)", "possibleConflicts")));
    }

    private Chart duplicates() {
        return bars("duplicates", "Duplicate operations", "User intents (request ids) a service wrote more than once,"
                + " per window: retries whose first write had landed (zombie transactions).",
                Set.of(AlertType.DUPLICATE_OPERATION), "duplicate_operations", "user intents written twice",
                List.of(new Bars(m -> m.labels().get("service"), "duplicates")));
    }

    private Chart cascades() {
        return bars("cascade", "Timeout cascades", "Caller attempts per window whose timeout was shorter than what"
                + " their downstream chain needed.", Set.of(AlertType.CASCADE_TIMEOUT), "cascade_timeouts",
                "caller attempts that gave up first", List.of(new Bars(
                        m -> m.labels().get("service") + " → " + m.labels().get("destination"), "attempts")));
    }

    /** Stacked bars of one value of a metric, a series per key. */
    private record Bars(Function<Metric, String> key, String value) {
    }

    private Chart bars(String id, String title, String caption, Set<AlertType> types, String metric, String axis,
                       List<Bars> bars) {
        long[] range = range(types);
        ArrayNode series = J.arrayNode();
        List<Metric> points = byName.getOrDefault(metric, List.of());
        bars.forEach(b -> stacked(series, points, b.key(), b.value(), range));
        if (points.isEmpty() && relevant(types).isEmpty()) {
            return null;
        }
        ObjectNode o = base(range, axis, series);
        shade(o, types);
        return new Chart(id, title, caption, types, o);
    }

    private Chart heartbeats() {
        Set<AlertType> types = Set.of(AlertType.HEARTBEAT_LOSS, AlertType.FALSE_DEATH, AlertType.SPLIT_BRAIN);
        long[] range = range(types);
        ArrayNode series = J.arrayNode();
        Map<String, ArrayNode> leaders = new TreeMap<>();
        byName.getOrDefault("heartbeat_leaders", List.of()).stream().filter(m -> in(m, range))
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> leaders.computeIfAbsent("leaders in " + m.labels().get("cluster"), k -> J.arrayNode())
                        .add(point(m.windowStart(), m.values().getOrDefault("leaders", 0.0))));
        leaders.forEach((name, data) -> series.add(line(name, data).put("step", "end")));
        Map<String, ArrayNode> lost = new TreeMap<>();
        byName.getOrDefault("heartbeat_loss", List.of()).stream().filter(m -> in(m, range)
                        && m.values().getOrDefault("lost", 0.0) > 0)
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> lost.computeIfAbsent("heartbeats lost by " + m.labels().get("node"), k -> J.arrayNode())
                        .add(point(m.windowStart(), m.values().get("lost"))));
        lost.forEach((name, data) -> series.add(J.objectNode().put("type", "bar").put("name", name).set("data", data)));
        Map<String, ArrayNode> silent = new TreeMap<>();
        byName.getOrDefault("heartbeat_suspected", List.of()).stream().filter(m -> in(m, range))
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> silent.computeIfAbsent("silent s: " + m.labels().get("node"), k -> J.arrayNode())
                        .add(point(m.windowStart(), m.values().getOrDefault("silentMs", 0.0) / 1000)));
        silent.forEach((name, data) -> series.add(J.objectNode().put("type", "scatter").put("name", name)
                .put("symbolSize", 12).set("data", data)));
        if (series.isEmpty() && relevant(types).isEmpty()) {
            return null;
        }
        ObjectNode o = base(range, "leaders / heartbeats lost / seconds silent", series);
        shade(o, types);
        return new Chart("heartbeats", "Heartbeats, leaders and silences", "Nodes claiming to lead each cluster (more"
                + " than one is a split brain), heartbeats lost, and nodes suspected dead while silent.", types, o);
    }

    // --- building blocks ---

    /** One line per series key of {@code metric}'s {@code value}, at most {@link #MAX_LINES} (the alerting first). */
    private ObjectNode lines(String metric, Function<Metric, String> key, String value, Set<AlertType> types,
                             String axis, boolean share) {
        List<Metric> points = byName.getOrDefault(metric, List.of());
        if (points.isEmpty()) {
            return null;
        }
        long[] range = range(types);
        Map<String, ArrayNode> byKey = new TreeMap<>();
        Map<String, Double> peak = new TreeMap<>();
        points.stream().filter(m -> in(m, range) && m.values().containsKey(value) && key.apply(m) != null)
                .sorted(Comparator.comparingLong(Metric::windowStart)).forEach(m -> {
                    double v = m.values().get(value);
                    byKey.computeIfAbsent(key.apply(m), k -> J.arrayNode()).add(point(m.windowStart(), v));
                    peak.merge(key.apply(m), share ? 1 - v : v, Math::max);
                });
        Set<String> alerting = new TreeSet<>();
        relevant(types).forEach(a -> a.subject().values().forEach(alerting::add));
        List<String> keys = new ArrayList<>(byKey.keySet());
        keys.sort(Comparator.<String, Boolean>comparing(k -> !alerting.contains(k))
                .thenComparing(k -> -peak.getOrDefault(k, 0.0)).thenComparing(k -> k));
        ArrayNode series = J.arrayNode();
        keys.stream().limit(MAX_LINES).forEach(k -> series.add(line(k, byKey.get(k))));
        ObjectNode o = base(range, axis, series);
        shade(o, types);
        return o;
    }

    private void stacked(ArrayNode series, List<Metric> points, Function<Metric, String> key, String value,
                         long[] range) {
        Map<String, ArrayNode> byKey = new TreeMap<>();
        points.stream().filter(m -> in(m, range) && m.values().getOrDefault(value, 0.0) > 0)
                .sorted(Comparator.comparingLong(Metric::windowStart))
                .forEach(m -> byKey.computeIfAbsent(key.apply(m), k -> J.arrayNode())
                        .add(point((m.windowStart() + m.windowEnd()) / 2, m.values().get(value))));
        // A bar stands in the middle of its window, so it sits inside the episode it belongs to.
        byKey.forEach((k, data) -> series.add(J.objectNode().put("type", "bar").put("name", k).put("stack", "all")
                .put("barMaxWidth", 18).set("data", data)));
    }

    private static ObjectNode base(long[] range, String axis, ArrayNode series) {
        ObjectNode o = J.objectNode();
        o.put("useUTC", true);
        o.putObject("tooltip").put("trigger", "axis");
        o.putObject("legend").put("type", "scroll").put("top", 0);
        o.putObject("grid").put("left", 60).put("right", 50).put("top", 40).put("bottom", 60);
        ObjectNode x = o.putObject("xAxis").put("type", "time").put("name", "UTC");
        if (range != null) {
            x.put("min", range[0]).put("max", range[1]);
        }
        o.putObject("yAxis").put("type", "value").put("name", axis).put("nameLocation", "middle").put("nameGap", 45);
        o.putArray("dataZoom").add(J.objectNode().put("type", "slider").put("bottom", 8))
                .add(J.objectNode().put("type", "inside"));
        o.set("series", series);
        return o;
    }

    private static ObjectNode line(String name, ArrayNode data) {
        return J.objectNode().put("type", "line").put("name", name).put("showSymbol", false).set("data", data);
    }

    private static ArrayNode point(long t, double v) {
        return J.arrayNode().add(t).add(Math.round(v * 1000) / 1000.0);
    }

    private static ObjectNode piece(Double gte, Double lt, String label, String color) {
        ObjectNode p = J.objectNode().put("label", label).put("color", color);
        if (gte != null) {
            p.put("gte", gte);
        }
        if (lt != null) {
            p.put("lt", lt);
        }
        return p;
    }

    /** Dashed threshold lines on the first series. */
    private static void thresholds(ObjectNode o, List<double[]> values, List<String> labels) {
        ArrayNode series = (ArrayNode) o.get("series");
        if (series.isEmpty()) {
            return;
        }
        ObjectNode first = (ObjectNode) series.get(0);
        ObjectNode mark = first.putObject("markLine");
        mark.put("symbol", "none").put("silent", true);
        mark.putObject("lineStyle").put("type", "dashed").put("color", "#b2182b");
        ArrayNode data = mark.putArray("data");
        for (int i = 0; i < values.size(); i++) {
            ObjectNode d = J.objectNode().put("yAxis", values.get(i)[0]);
            d.putObject("label").put("formatter", labels.get(i)).put("position", "insideEndTop");
            data.add(d);
        }
    }

    /** Shades each episode of {@code types} from its first FIRING to its RESOLVED (or the last alert) on the chart. */
    private void shade(ObjectNode o, Set<AlertType> types) {
        ArrayNode series = (ArrayNode) o.get("series");
        if (series.isEmpty()) {
            series.add(J.objectNode().put("type", "line").put("name", "no points").set("data", J.arrayNode()));
        }
        ObjectNode area = ((ObjectNode) series.get(0)).putObject("markArea");
        area.put("silent", true);
        area.putObject("itemStyle").put("color", "rgba(214, 39, 40, 0.10)");
        ArrayNode data = area.putArray("data");
        episodes(types).forEach((episode, span) -> {
            ArrayNode pair = J.arrayNode();
            pair.add(J.objectNode().put("name", span.label).put("xAxis", span.start));
            pair.add(J.objectNode().put("xAxis", span.end));
            data.add(pair);
        });
    }

    private record Span(long start, long end, String label) {
    }

    /**
     * Episode spans of {@code types}: first FIRING window start to RESOLVED window end (or the last alert's); a
     * fingerprint that fires again after its RESOLVED is a new span.
     */
    private Map<String, Span> episodes(Set<AlertType> types) {
        Map<String, Span> out = new LinkedHashMap<>();
        Map<String, Integer> episode = new TreeMap<>();
        for (Alert a : relevant(types)) {
            String key = a.fingerprint() + "#" + episode.getOrDefault(a.fingerprint(), 0);
            Span s = out.get(key);
            long start = s == null ? a.windowStart() : Math.min(s.start, a.windowStart());
            long end = s == null ? a.windowEnd() : Math.max(s.end, a.windowEnd());
            out.put(key, new Span(start, end, s == null ? a.type() + " " + a.severity() : s.label));
            if (a.status() == AlertStatus.RESOLVED) {
                episode.merge(a.fingerprint(), 1, Integer::sum);
            }
        }
        return out;
    }

    private List<Alert> relevant(Set<AlertType> types) {
        return alerts.stream().filter(a -> types.contains(a.type())).toList();
    }

    /** Around the windows of the alerts of {@code types}, with a margin; null (everything) without one. */
    private long[] range(Set<AlertType> types) {
        if (window != null) {
            return window;
        }
        List<Alert> rel = relevant(types);
        if (rel.isEmpty()) {
            return null;
        }
        long from = rel.stream().mapToLong(Alert::windowStart).min().orElseThrow() - MARGIN_MS;
        long to = rel.stream().mapToLong(Alert::windowEnd).max().orElseThrow() + MARGIN_MS;
        return new long[] {from, to};
    }

    private static boolean in(Metric m, long[] range) {
        return range == null || (m.windowEnd() >= range[0] && m.windowStart() <= range[1]);
    }

    private static String path(Metric m) {
        return m.labels().get("service") + " → " + m.labels().get("destination");
    }
}
