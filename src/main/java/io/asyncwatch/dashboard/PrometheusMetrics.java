package io.asyncwatch.dashboard;

import io.asyncwatch.model.Metric;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.MetricName;

/**
 * {@code /metrics} in the Prometheus text format, with the official Prometheus Java client: the detectors' gauges (the
 * latest point of each series on the metrics topic, while it has one within {@link #STALE_MS} of the newest), open episodes by type and severity, dead letters by reason, and the
 * Kafka Streams client metrics that matter when the topology runs in this process (records consumed and processed,
 * consumer lag, commit latency, restore progress, dropped records).
 */
public final class PrometheusMetrics implements MultiCollector {

    /** Streams client metrics exported, by name (their tags become labels). */
    static final Set<String> STREAMS = Set.of("records-consumed-rate", "records-consumed-total", "records-lag-max",
            "process-rate", "process-total", "commit-latency-avg", "commit-latency-max", "commit-rate",
            "dropped-records-total", "restore-remaining-records-total", "records-restored-total", "restore-rate",
            "blocked-time-ns-total", "alive-stream-threads");

    /** A detector series with no point this long before the newest point of any series is no longer exported. */
    static final long STALE_MS = 10 * 60_000;

    /** A gauge per detector series: metric, value, gauge name, help. */
    private record Series(String metric, String value, String name, String help) {
    }

    private static final List<Series> SERIES = List.of(
            new Series("retry_multiplier", "multiplier", "asyncwatch_retry_multiplier",
                    "Retry share of the latest closed window against the service's 1 h baseline"),
            new Series("retry_multiplier", "retryShare", "asyncwatch_retry_share",
                    "Share of attempts that were retries in the latest closed window"),
            new Series("layer_amplification", "factor", "asyncwatch_layer_amplification",
                    "Attempts per user intent at the layer against its usual fan-out"),
            new Series("layer_amplification", "attemptsPerSec", "asyncwatch_layer_attempts_per_second",
                    "Attempts per second at the layer in the latest window"),
            new Series("clock_offset", "fromMedianMs", "asyncwatch_clock_offset_from_median_ms",
                    "The node's offset from its cluster's median clock offset"),
            new Series("clock_offset", "driftPpm", "asyncwatch_clock_drift_ppm", "The node's clock drift"),
            new Series("latency", "p50Ms", "asyncwatch_latency_p50_ms", "Median latency of the path"),
            new Series("latency", "p99Ms", "asyncwatch_latency_p99_ms", "p99 latency of the path"),
            new Series("latency", "p999Ms", "asyncwatch_latency_p999_ms", "p99.9 latency of the path"),
            new Series("timeout_effectiveness", "successShare", "asyncwatch_timeout_success_share",
                    "Share of the service's attempts that succeeded"),
            new Series("heartbeat_loss", "lossRate", "asyncwatch_heartbeat_loss_rate",
                    "Share of the node's heartbeats lost"),
            new Series("logical_clock_gap", "gap", "asyncwatch_logical_clock_gap",
                    "Largest gap between the node's consecutive logical clock readings"));

    private final DashboardState state;
    private final Supplier<Map<MetricName, ? extends org.apache.kafka.common.Metric>> streams;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** @param streams the Streams client's metrics, or null when the topology runs elsewhere */
    public PrometheusMetrics(DashboardState state,
                             Supplier<Map<MetricName, ? extends org.apache.kafka.common.Metric>> streams) {
        this.state = state;
        this.streams = streams;
        registry.register(this);
    }

    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    @Override
    public MetricSnapshots collect() {
        DashboardState.Snapshot snap = state.snapshot();
        List<MetricSnapshot> out = new ArrayList<>();
        Map<String, Metric> latest = new LinkedHashMap<>();
        long newest = Long.MIN_VALUE;
        for (Metric m : snap.metrics()) {
            latest.merge(m.seriesKey(), m, (x, y) -> y.windowStart() >= x.windowStart() ? y : x);
            newest = Math.max(newest, m.windowEnd());
        }
        // A series that stopped (a node gone, a path no longer called) must not report its last value for ever.
        long staleBefore = newest - STALE_MS;
        latest.values().removeIf(m -> m.windowEnd() < staleBefore);
        for (Series s : SERIES) {
            GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(s.name()).help(s.help());
            boolean any = false;
            for (Metric m : latest.values()) {
                Double v = m.metric().equals(s.metric()) ? m.values().get(s.value()) : null;
                if (v != null && !v.isNaN()) {
                    g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v).labels(labels(m.labels()))
                            .build());
                    any = true;
                }
            }
            if (any) {
                out.add(g.build());
            }
        }
        Map<Labels, Integer> open = new TreeMap<>();
        snap.episodes().stream().filter(DashboardState.Episode::firing).forEach(e -> open.merge(
                Labels.of("type", e.latest().type().name(), "severity", e.latest().severity().name()), 1,
                Integer::sum));
        GaugeSnapshot.Builder episodes = GaugeSnapshot.builder().name("asyncwatch_open_episodes")
                .help("Alert episodes still firing, by type and severity");
        open.forEach((l, n) -> episodes.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(n).labels(l)
                .build()));
        out.add(episodes.build());
        CounterSnapshot.Builder dead = CounterSnapshot.builder().name("asyncwatch_dead_letters")
                .help("Records sent to the dead-letter topic, by reason (since the dashboard's history start)");
        snap.deadLetters().forEach((reason, n) -> dead.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(n).labels(Labels.of("reason", reason)).build()));
        out.add(dead.build());
        out.add(GaugeSnapshot.builder().name("asyncwatch_dashboard_records")
                .help("Records the dashboard has read from asyncwatch's topics")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(snap.records()).build()).build());
        if (streams != null) {
            out.addAll(streamsMetrics());
        }
        return new MetricSnapshots(out);
    }

    private List<MetricSnapshot> streamsMetrics() {
        Map<String, GaugeSnapshot.Builder> byName = new TreeMap<>();
        Map<String, java.util.Set<Labels>> seen = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e : streams.get().entrySet()) {
            MetricName n = e.getKey();
            // Client-, thread- and task-level only: per topic and partition the restore consumers alone have hundreds.
            if (!STREAMS.contains(n.name()) || n.tags().containsKey("topic") || n.tags().containsKey("partition")
                    || !(e.getValue().metricValue() instanceof Number v)
                    || Double.isNaN(v.doubleValue()) || Double.isInfinite(v.doubleValue())) {
                continue;
            }
            String name = "kafka_streams_" + (n.group().replace("-metrics", "") + "_" + n.name())
                    .replaceAll("[^a-zA-Z0-9_]", "_");
            Map<String, String> tags = new TreeMap<>();
            n.tags().forEach((k, val) -> tags.put(k.replaceAll("[^a-zA-Z0-9_]", "_"), val));
            Labels l = labels(tags);
            if (!seen.computeIfAbsent(name, k -> new java.util.HashSet<>()).add(l)) {
                continue;
            }
            byName.computeIfAbsent(name, k -> GaugeSnapshot.builder().name(k).help("Kafka Streams " + n.group() + " "
                    + n.name() + ": " + n.description())).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(v.doubleValue()).labels(l).build());
        }
        List<MetricSnapshot> out = new ArrayList<>();
        byName.values().forEach(b -> out.add(b.build()));
        return out;
    }

    private static Labels labels(Map<String, String> m) {
        Labels.Builder b = Labels.builder();
        m.forEach(b::label);
        return b.build();
    }
}
