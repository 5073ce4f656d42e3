package io.asyncwatch.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.clockskew.ClockSkewSettings;
import io.asyncwatch.detect.retrystorm.RetryStormSettings;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.report.Charts;
import io.asyncwatch.standup.StandupFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The page's data from a {@link DashboardState.Snapshot}: the seeds' dashboards (clock skew heatmap, message flow
 * reality check, timeout effectiveness and ladder, logical clock inspector, retry storm radar), the standup boxes and
 * the alert list, firing first. Charts cover the last {@link #WINDOW_MS} of event time the metrics reached; tables show
 * each series' latest point. Pure: no Kafka, no server.
 */
public final class Panels {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    /** What the charts show: the last hour of event time. */
    static final long WINDOW_MS = 60 * 60_000L;
    private static final JsonNodeFactory J = JsonNodeFactory.instance;

    /** Which panel shows an alert type (the alert list links to it). */
    static final Map<AlertType, String> PANEL_OF = new EnumMap<>(AlertType.class);

    static {
        for (AlertType t : List.of(AlertType.CLOCK_SKEW, AlertType.CLOCK_DRIFT)) {
            PANEL_OF.put(t, "clock-skew");
        }
        for (AlertType t : List.of(AlertType.LATENCY_TAIL, AlertType.HEARTBEAT_LOSS, AlertType.FALSE_DEATH,
                AlertType.SPLIT_BRAIN)) {
            PANEL_OF.put(t, "message-flow");
        }
        for (AlertType t : List.of(AlertType.TIMEOUT_EFFECTIVENESS, AlertType.CASCADE_TIMEOUT)) {
            PANEL_OF.put(t, "timeouts");
        }
        for (AlertType t : List.of(AlertType.LOGICAL_CLOCK_JUMP, AlertType.CAUSALITY_VIOLATION,
                AlertType.CONCURRENT_WRITE)) {
            PANEL_OF.put(t, "logical-clock");
        }
        for (AlertType t : List.of(AlertType.RETRY_STORM, AlertType.LAYER_AMPLIFICATION,
                AlertType.DUPLICATE_OPERATION)) {
            PANEL_OF.put(t, "retry-storm");
        }
    }

    private Panels() {
    }

    public static ObjectNode build(AsyncwatchConfig config, DashboardState.Snapshot snap) {
        long latest = snap.metrics().stream().mapToLong(Metric::windowEnd).max().orElse(0);
        List<Alert> alerts = snap.episodes().stream().map(DashboardState.Episode::latest).toList();
        Charts charts = Charts.window(config, snap.metrics(), alerts, latest - WINDOW_MS, latest);
        Map<String, List<Metric>> byName = new TreeMap<>();
        snap.metrics().forEach(m -> byName.computeIfAbsent(m.metric(), k -> new ArrayList<>()).add(m));

        ObjectNode page = J.objectNode();
        page.put("version", snap.version()).put("records", snap.records()).put("eventTime", latest);
        ArrayNode panels = page.putArray("panels");

        // Captions from the settings in force, as the charts' bands and lines are.
        ClockSkewSettings skew = config.settings(ClockSkewSettings.SPEC);
        RetryStormSettings storm = config.settings(RetryStormSettings.SPEC);
        panels.add(panel("clock-skew", "1. Clock skew heatmap", "Each node's offset from its cluster's median, in the "
                        + skew.warnMs() + " / " + skew.alertMs() + " / " + skew.pageMs() + " ms bands, and its drift.",
                present(charts.clockSkew()),
                List.of(table("Nodes", List.of("cluster", "node", "from median (ms)", "offset (ms)", "drift (ppm)",
                        "status"), latest(byName, "clock_offset", m -> m.labels().get("cluster") + "/"
                        + m.labels().get("node")), m -> List.of(m.labels().get("cluster"), m.labels().get("node"),
                        num(m, "fromMedianMs"), num(m, "offsetMs"), num(m, "driftPpm"),
                        m.attributes().getOrDefault("status", ""))))));

        panels.add(panel("message-flow", "2. Message flow reality check", "The latency each path really has (p50,"
                        + " p99, p99.9: the truth panel) and the heartbeats that never arrived.", present(charts.latency()),
                List.of(table("Truth panel", List.of("path", "calls", "p50 (ms)", "p99 (ms)", "p99.9 (ms)",
                                "above timeout"), latest(byName, "latency", Panels::path), m -> List.of(path(m),
                                num(m, "calls"), num(m, "p50Ms"), num(m, "p99Ms"), num(m, "p999Ms"),
                                pct(m, "aboveTimeoutShare"))),
                        table("Lost messages (heartbeats)", List.of("cluster", "node", "received", "lost", "loss rate"),
                                latest(byName, "heartbeat_loss", m -> m.labels().get("cluster") + "/"
                                        + m.labels().get("node")), m -> List.of(m.labels().get("cluster"),
                                        m.labels().get("node"), num(m, "received"), num(m, "lost"),
                                        pct(m, "lossRate"))))));

        panels.add(panel("timeouts", "3. Timeout effectiveness and the timeout ladder", "Per service, the share of"
                        + " attempts that succeeded, timed out or failed; per call, the configured timeout against the"
                        + " recommended one (2 × p99 + the largest downstream timeout + a buffer).",
                present(charts.timeouts()),
                List.of(table("Effectiveness (latest window)", List.of("service", "attempts", "success", "timeout",
                                "error"), latest(byName, "timeout_effectiveness", m -> m.labels().get("service")),
                                m -> List.of(m.labels().get("service"), num(m, "attempts"), pct(m, "successShare"),
                                        pct(m, "timeoutShare"), pct(m, "errorShare"))),
                        table("Timeout ladder", List.of("service", "destination", "configured (ms)",
                                        "recommended (ms)", "action", "why"),
                                latest(byName, "timeout_ladder", m -> m.labels().get("service") + " "
                                        + m.labels().get("destination")), m -> List.of(m.labels().get("service"),
                                        m.labels().get("destination"), num(m, "configuredMs"),
                                        num(m, "recommendedMs"), m.attributes().getOrDefault("action", ""),
                                        m.attributes().getOrDefault("reason", ""))))));

        panels.add(panel("logical-clock", "4. Logical clock inspector", "Jumps and steps back of each node's logical"
                        + " clock, and the effects stamped before their causes.",
                present(charts.logicalClocks(), charts.causality()),
                List.of(table("Causality violations", List.of("effect node", "cause node", "violations",
                                "clock behind by at least (ms)", "window (UTC)"),
                        latest(byName, "causality_violations", m -> m.labels().get("cause_node") + ">"
                                + m.labels().get("node")), m -> List.of(m.labels().get("node"),
                                m.labels().get("cause_node"), num(m, "violations"), num(m, "offsetLowerBoundMs"),
                                MINUTE.format(Instant.ofEpochMilli(m.windowStart())))))));

        panels.add(panel("retry-storm", "5. Retry storm radar", "Each service's retry share against its own hour"
                        + " before (" + plain(storm.warnMultiplier()) + "× WARN, " + plain(storm.pageMultiplier())
                        + "× PAGE), and the storm's components per layer.",
                present(charts.retryStorms(), charts.amplification()),
                List.of(table("Storm components (latest window)", List.of("layer", "attempts/s", "amplification",
                                "usual fan-out", "circuit breaker"),
                        latest(byName, "layer_amplification", m -> m.labels().get("layer")), m -> List.of(
                                m.labels().get("layer"), num(m, "attemptsPerSec"), num(m, "factor"),
                                num(m, "baselineFanOut"), m.attributes().getOrDefault("circuitBreaker", ""))))));

        StandupSummary standup = snap.standups().values().stream()
                .max(Comparator.comparingLong(StandupSummary::periodEnd)).orElse(null);
        if (standup != null) {
            page.putObject("standup").put("status", standup.status().name())
                    .put("text", StandupFormat.format(standup, StandupFormat.Style.TEXT));
        }
        ArrayNode list = page.putArray("alerts");
        snap.episodes().stream()
                .sorted(Comparator.comparing((DashboardState.Episode e) -> !e.firing())
                        .thenComparing(e -> -e.latest().severity().ordinal())
                        .thenComparing(e -> -e.latest().windowEnd()))
                .forEach(e -> list.add(alert(e)));
        ObjectNode dead = page.putObject("deadLetters");
        snap.deadLetters().forEach(dead::put);
        return page;
    }

    private static ObjectNode alert(DashboardState.Episode e) {
        Alert a = e.latest();
        ObjectNode o = J.objectNode();
        o.put("fingerprint", a.fingerprint()).put("type", a.type().name()).put("severity", a.severity().name())
                .put("status", a.status().name()).put("summary", a.summary()).put("firstFiring", e.firstFiring())
                .put("windowEnd", a.windowEnd()).put("alerts", e.alerts()).put("alertId", a.alertId())
                .put("panel", PANEL_OF.getOrDefault(a.type(), ""));
        ArrayNode ev = o.putArray("evidence");
        a.evidence().forEach(ev::add);
        ArrayNode pb = o.putArray("playbook");
        a.playbook().forEach(pb::add);
        return o;
    }

    /** The charts that have something to show (a chart without points or alerts is null). */
    private static List<Charts.Chart> present(Charts.Chart... charts) {
        return java.util.Arrays.stream(charts).filter(java.util.Objects::nonNull).toList();
    }

    private static ObjectNode panel(String id, String title, String caption, List<Charts.Chart> charts,
                                    List<ObjectNode> tables) {
        ObjectNode p = J.objectNode();
        p.put("id", id).put("title", title).put("caption", caption);
        ArrayNode cs = p.putArray("charts");
        boolean data = false;
        for (Charts.Chart c : charts) {
            cs.add(J.objectNode().put("id", c.id()).put("title", c.title()).set("option", c.option()));
            data |= c.hasPoints();
        }
        ArrayNode ts = p.putArray("tables");
        for (ObjectNode t : tables) {
            ts.add(t);
            data |= t.get("rows").size() > 0;
        }
        p.put("hasData", data);
        return p;
    }

    /** Each series' newest point, by {@code key}. */
    private static List<Metric> latest(Map<String, List<Metric>> byName, String metric, Function<Metric, String> key) {
        Map<String, Metric> out = new TreeMap<>();
        for (Metric m : byName.getOrDefault(metric, List.of())) {
            out.merge(key.apply(m), m, (x, y) -> y.windowStart() >= x.windowStart() ? y : x);
        }
        return new ArrayList<>(out.values());
    }

    private static ObjectNode table(String title, List<String> columns, List<Metric> points,
                                    Function<Metric, List<String>> row) {
        ObjectNode t = J.objectNode().put("title", title);
        ArrayNode cols = t.putArray("columns");
        columns.forEach(cols::add);
        ArrayNode rows = t.putArray("rows");
        for (Metric m : points) {
            ArrayNode r = J.arrayNode();
            row.apply(m).forEach(v -> r.add(v == null ? "" : v));
            rows.add(r);
        }
        return t;
    }

    private static String path(Metric m) {
        return m.labels().get("service") + " → " + m.labels().get("destination");
    }

    private static String num(Metric m, String value) {
        Double v = m.values().get(value);
        if (v == null || v.isNaN()) {
            return "";
        }
        return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(Metric m, String value) {
        Double v = m.values().get(value);
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** 2.0 as "2", 2.5 as "2.5". */
    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
}
