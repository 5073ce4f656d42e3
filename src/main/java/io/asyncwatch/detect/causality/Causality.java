package io.asyncwatch.detect.causality;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.traces.Traces;
import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.time.Broadcast;
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
 * Causality violations (the seeds' "time travel bug"): an effect stamped before its cause, or whose Lamport or
 * vector clock does not come after its cause's. An event names its causes by {@code causedBy} (event ids of any
 * input topic) and, for a call, by {@code parentSpanId} (the caller's span in the same trace).
 *
 * <p>Shape: parent and child spans are matched on their trace's task ({@link SpanLinksProcessor}: traced requests are
 * re-keyed by trace once, for every trace stage). For {@code causedBy}, every event is projected to a compact fact
 * (id, node, sender timestamp, clocks). Causes (nearly every event) never leave the input task that ingested them: {@link CauseIndex} keeps them for
 * the horizon, one write each. Effects (few) are counted where they were ingested and looked up in every input task
 * (their lookup is broadcast); the task holding the cause judges the pair, at once or when the cause arrives. The
 * outcomes, already reduced, are gathered under one key per window ({@link CausalityWindowsProcessor}), where the
 * effects sent and found give the missing causes and the node in most violating pairs can be named. One episode
 * per (cause node, effect node) pair, and one per node whose effects miss their causes above the configured share.
 */
public final class Causality implements Detector {

    public static final String NAME = "causality";
    public static final String METRIC_PAIRS = "causality_violations";
    public static final String METRIC_NODES = "causal_links";
    /** Per node and UTC day, and for all nodes (node "*"): the seeds' daily violation count, target 0. */
    public static final String METRIC_DAILY = "causality_violations_daily";
    static final String ALL_NODES = "*";
    /** Business-order violations per rule ("order>pay") and window. */
    public static final String METRIC_ORDER = "causality_business_order";
    static final String ALL = "all";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return CausalitySettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.CAUSALITY_VIOLATION, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        CausalitySettings s = config.settings(CausalitySettings.SPEC);
        return s.windowMs() + s.horizonMs() + config.eventTime().graceMs();
    }

    static List<KeyValue<String, CausalFact>> facts(RequestEvent e) {
        // Parent spans are matched on the trace's task (SpanLinksProcessor), where the spans are anyway.
        List<KeyValue<String, CausalFact>> out = new ArrayList<>(1);
        String node = e.nodeOrService();
        String id = CausalFact.ID_PREFIX + e.eventId();
        out.add(KeyValue.pair(id, CausalFact.cause(id, e.eventId(), node, e.timestamp(), e.lamport(),
                e.vectorClock())));
        if (e.causedBy() != null) {
            // An id listed twice is one cause.
            for (String cause : new java.util.LinkedHashSet<>(e.causedBy())) {
                if (cause != null && !cause.isBlank() && !cause.equals(e.eventId())) {
                    String link = CausalFact.ID_PREFIX + cause;
                    out.add(KeyValue.pair(link, CausalFact.effect(link, CausalFact.VIA_CAUSED_BY, e.eventId(), node,
                            e.timestamp(), e.lamport(), e.vectorClock())));
                }
            }
        }
        return out;
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        CausalitySettings s = config.settings(CausalitySettings.SPEC);
        long grace = config.eventTime().graceMs();
        KStream<String, CausalFact> requestFacts = inputs.requestsWithTicks().flatMap((k, a) -> a.isTick()
                ? List.of(KeyValue.pair("", CausalFact.tick(a.source(), a.clock()))) : facts(a.event()),
                Named.as(NAME + "-request-facts"));
        // Heartbeats and clock readings can be causes too (an event may name one).
        KStream<String, CausalFact> heartbeatFacts = inputs.heartbeats()
                .filter((k, a) -> !a.isTick() && a.event().eventId() != null, Named.as(NAME + "-heartbeats-with-id"))
                .map((k, a) -> heartbeatFact(a), Named.as(NAME + "-heartbeat-facts"));
        KStream<String, CausalFact> clockFacts = inputs.clocks()
                .filter((k, a) -> !a.isTick() && a.event().eventId() != null, Named.as(NAME + "-clocks-with-id"))
                .map((k, a) -> clockFact(a), Named.as(NAME + "-clock-facts"));
        // Causes stay in the input task that ingested them; only lookups of effects (few) are broadcast.
        KStream<String, CauseIndexProcessor.Out> indexed = requestFacts
                .merge(heartbeatFacts, Named.as(NAME + "-merge-heartbeats"))
                .merge(clockFacts, Named.as(NAME + "-merge-clocks"))
                .process(new CauseIndexProcessor.Supplier(s, grace, inputs.stores()), Named.as(NAME + "-index"));
        KStream<String, CausalOutcome> answers = indexed
                .filter((k, o) -> o.isLookup(), Named.as(NAME + "-lookups"))
                .mapValues(CauseIndexProcessor.Out::lookup, Named.as(NAME + "-lookup-facts"))
                .repartition(Repartitioned.with(Serdes.String(), CausalFact.SERDE).withName(NAME + "-lookups")
                        .withStreamPartitioner(new Broadcast<>(f -> true)))
                .process(new LookupProcessor.Supplier(s, grace, inputs.stores()), Named.as(NAME + "-lookup"), CauseIndex.STORE,
                        CauseIndex.CAUSES);
        KStream<String, CausalOutcome> spanOutcomes = Traces.spansByTrace(inputs)
                .process(new SpanLinksProcessor.Supplier(s, grace, inputs.stores()), Named.as(NAME + "-spans"));
        KStream<String, CausalOutcome> outcomes = indexed
                .filter((k, o) -> !o.isLookup(), Named.as(NAME + "-index-outcomes"))
                .mapValues(CauseIndexProcessor.Out::outcome, Named.as(NAME + "-index-outcome"))
                .merge(answers, Named.as(NAME + "-merge-answers"))
                .merge(spanOutcomes, Named.as(NAME + "-merge-spans"));
        // Stages whose tasks tick into the window stage: lookups, spans, and entities when business order is on.
        int stages = 2;
        if (!s.businessOrder().isEmpty()) {
            KStream<String, CausalOutcome> orders = inputs.rekeyed(NAME + "-entity-ops", CausalFact.SERDE,
                    CausalFact::isTick, () -> inputs.requestsWithTicks()
                            .filter((k, a) -> a.isTick() || ordered(a.event(), s.businessOrder()),
                                    Named.as(NAME + "-ordered-operations"))
                            .map((k, a) -> a.isTick() ? KeyValue.pair("", CausalFact.tick(a.source(), a.clock()))
                                    : entityOp(a.event()), Named.as(NAME + "-entity-op")))
                    .process(new EntityOrderProcessor.Supplier(s, grace, inputs.stores()),
                            Named.as(NAME + "-entities"));
            outcomes = outcomes.merge(orders, Named.as(NAME + "-merge-entities"));
            stages = 3;
        }
        KStream<String, CausalityWindowsProcessor.Closed> windows = outcomes
                // One key: one partition (the other partitions' tasks would only commit and pass ticks on).
                .repartition(Repartitioned.with(Serdes.String(), CausalOutcome.SERDE).withName(NAME + "-outcomes")
                        .withNumberOfPartitions(1).withStreamPartitioner(new Broadcast<>(CausalOutcome::isTick)))
                .process(new CausalityWindowsProcessor.Supplier(s, grace, inputs.stores(), stages),
                        Named.as(NAME + "-windows"));
        KStream<String, Metric> metrics = windows
                .filter((k, c) -> !c.isTick(), Named.as(NAME + "-closed"))
                .flatMap((k, c) -> (c.day() != null ? daily(c.day()) : metrics(c.window(), s)).stream()
                                .map(m -> KeyValue.pair(m.seriesKey(), m)).toList(),
                        Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = windows
                .flatMap((k, c) -> {
                    List<Finding> out = c.isTick()
                            ? List.of(Finding.tick(AlertType.CAUSALITY_VIOLATION, c.source(), c.tick()))
                            : c.day() != null ? List.of() : findings(c.window(), s, c.source());
                    return out.stream().map(f -> KeyValue.pair(f.fingerprint(), f)).toList();
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    /** A request with an entity and an operation some business-order sequence names. */
    static boolean ordered(RequestEvent e, BusinessOrder rules) {
        return e.entity() != null && !e.entity().isBlank() && e.operation() != null && rules.concerns(e.operation());
    }

    private static KeyValue<String, CausalFact> entityOp(RequestEvent e) {
        return KeyValue.pair(e.entity(), CausalFact.op(e.entity(), BusinessOrder.normalise(e.operation()),
                e.eventId(), e.nodeOrService(), e.timestamp(), e.lamport(), e.vectorClock()));
    }

    private static KeyValue<String, CausalFact> heartbeatFact(Accepted<HeartbeatEvent> a) {
        HeartbeatEvent e = a.event();
        String link = CausalFact.ID_PREFIX + e.eventId();
        return KeyValue.pair(link, CausalFact.cause(link, e.eventId(), e.node(), e.timestamp(), null, null));
    }

    private static KeyValue<String, CausalFact> clockFact(Accepted<ClockEvent> a) {
        ClockEvent e = a.event();
        String link = CausalFact.ID_PREFIX + e.eventId();
        return KeyValue.pair(link, CausalFact.cause(link, e.eventId(), e.node(), e.timestamp(), e.lamport(),
                e.vectorClock()));
    }

    static List<Metric> metrics(CausalWindow w, CausalitySettings s) {
        List<Metric> out = new ArrayList<>();
        long end = w.start + s.windowMs();
        // The node in most violating pairs: the one whose clock is likely off.
        String suspect = w.usualSuspect();
        w.pairs.forEach((key, p) -> {
            String[] nodes = key.split("\n", 2);
            Map<String, Double> values = new TreeMap<>();
            values.put("violations", (double) p.violations);
            values.put("timestamp", (double) p.timestampRule);
            values.put("lamport", (double) p.lamportRule);
            values.put("vector", (double) p.vectorRule);
            if (p.timestampRule > 0) {
                // The effect's clock is at least this far behind the cause's (or the cause's that far ahead).
                values.put("offsetLowerBoundMs", (double) p.maxGapMs);
            }
            Map<String, String> attributes = new TreeMap<>();
            attributes.put("samples", String.join(" | ", p.samples));
            if (suspect != null && (suspect.equals(nodes[0]) || suspect.equals(nodes[1]))) {
                attributes.put("suspect", suspect);
            }
            out.add(new Metric(METRIC_PAIRS, Map.of("cause_node", nodes[0], "node", nodes[1]), w.start, end, values,
                    attributes));
        });
        w.nodes.forEach((node, n) -> {
            Map<String, Double> values = new TreeMap<>();
            values.put("effects", (double) n.sent);
            values.put("matched", (double) n.found);
            values.put("missingCauses", (double) n.missing());
            values.put("violations", (double) n.violations);
            if (n.sent > 0) {
                values.put("missingShare", (double) n.missing() / n.sent);
            }
            Map<String, String> attributes = new TreeMap<>();
            if (w.late > 0) {
                attributes.put("lateOutcomes", Long.toString(w.late));
            }
            out.add(new Metric(METRIC_NODES, Map.of("node", node), w.start, end, values, attributes));
        });
        w.orders.forEach((rule, t) -> {
            Map<String, Double> values = new TreeMap<>();
            values.put("violations", (double) t.violations);
            t.kinds.forEach((kind, n) -> values.put(kind.toLowerCase(Locale.ROOT), (double) n));
            out.add(new Metric(METRIC_ORDER, Map.of("order", rule), w.start, end, values,
                    Map.of("entities", String.join(" ", t.entities), "judgedBy", String.join(" ", t.methods),
                            "samples", String.join(" | ", t.samples))));
        });
        return out;
    }

    static List<Metric> daily(CausalDay day) {
        List<Metric> out = new ArrayList<>();
        long end = day.start + CausalDay.DAY_MS;
        long violations = 0;
        long effects = 0;
        long missing = 0;
        for (Map.Entry<String, CausalDay.Tally> e : day.nodes.entrySet()) {
            CausalDay.Tally t = e.getValue();
            out.add(new Metric(METRIC_DAILY, Map.of("node", e.getKey()), day.start, end, dailyValues(t.violations,
                    t.effects, t.missing), Map.of("target", "0")));
            violations += t.violations;
            effects += t.effects;
            missing += t.missing;
        }
        out.add(new Metric(METRIC_DAILY, Map.of("node", ALL_NODES), day.start, end,
                dailyValues(violations, effects, missing), Map.of("target", "0")));
        return out;
    }

    private static Map<String, Double> dailyValues(long violations, long effects, long missing) {
        Map<String, Double> values = new TreeMap<>();
        values.put("violations", (double) violations);
        values.put("effects", (double) effects);
        values.put("missingCauses", (double) missing);
        return values;
    }

    static List<Finding> findings(CausalWindow w, CausalitySettings s, String source) {
        List<Finding> out = new ArrayList<>();
        long end = w.start + s.windowMs();
        String span = TIME.format(Instant.ofEpochMilli(w.start)) + "-" + TIME.format(Instant.ofEpochMilli(end))
                + " UTC";
        String suspect = w.usualSuspect();
        w.pairs.forEach((key, p) -> {
            String[] nodes = key.split("\n", 2);
            String cause = nodes[0];
            String effect = nodes[1];
            boolean byTime = p.timestampRule > 0;
            Severity severity = byTime && p.maxGapMs >= s.pageGapMs() ? Severity.PAGE : Severity.ALERT;
            StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
                    "Causality violation: %d event%s on %s came before %s cause%s on %s in %s", p.violations,
                    p.violations == 1 ? "" : "s", effect, p.violations == 1 ? "its" : "their",
                    p.violations == 1 ? "" : "s", cause, span));
            List<String> how = new ArrayList<>();
            if (byTime) {
                how.add(String.format(Locale.ROOT, "stamped up to %d ms before the cause", p.maxGapMs));
            }
            if (p.lamportRule > 0) {
                how.add(p.lamportRule + " with a Lamport clock not after the cause's");
            }
            if (p.vectorRule > 0) {
                how.add(p.vectorRule + " with a vector clock not after the cause's");
            }
            summary.append(" (").append(String.join("; ", how)).append(')');
            if (byTime) {
                summary.append(String.format(Locale.ROOT, ": %s's clock is at least %d ms behind %s's",
                        effect, p.maxGapMs, cause));
                if (suspect != null && (suspect.equals(cause) || suspect.equals(effect))) {
                    summary.append(String.format(Locale.ROOT, "; %s is in most violating pairs, its clock is the"
                            + " likely one off", suspect));
                } else {
                    summary.append(String.format(Locale.ROOT, ", or %s's that far ahead", cause));
                }
            }
            List<String> evidence = new ArrayList<>(p.samples);
            if (w.late > 0) {
                evidence.add(w.late + " outcomes arrived after their window had closed and are counted here");
            }
            Map<String, String> subject = new TreeMap<>();
            subject.put("cause_node", cause);
            subject.put("node", effect);
            out.add(new Finding(Finding.fingerprint(AlertType.CAUSALITY_VIOLATION, subject),
                    AlertType.CAUSALITY_VIOLATION, severity, subject, summary.toString(), p.violations,
                    severity == Severity.PAGE ? s.pageGapMs() : 1, w.start, end, List.copyOf(evidence), source));
        });
        w.nodes.forEach((node, n) -> {
            long all = n.sent;
            double share = all == 0 ? 0 : (double) n.missing() / all;
            if (all < s.missingMinEffects() || share <= s.missingShare()) {
                return;
            }
            Map<String, String> subject = new TreeMap<>();
            subject.put("node", node);
            subject.put("rule", "missing-cause");
            String summary = String.format(Locale.ROOT, "Missing causes: %d of %d events on %s (%.0f%%) named a"
                    + " cause asyncwatch never saw within %d s in %s: lost messages, or causes on a topic asyncwatch"
                    + " does not read", n.missing(), all, node, 100 * share, s.horizonMs() / 1000, span);
            out.add(new Finding(Finding.fingerprint(AlertType.CAUSALITY_VIOLATION, subject),
                    AlertType.CAUSALITY_VIOLATION, Severity.WARN, subject, summary, share, s.missingShare(), w.start,
                    end, List.of(n.missing() + " of " + all + " effects on " + node + " unmatched"), source));
        });
        w.orders.forEach((rule, t) -> {
            String[] ops = rule.split(">", 2);
            List<String> kinds = new ArrayList<>();
            t.kinds.forEach((kind, n) -> kinds.add(n + " " + kind));
            List<String> methods = t.methods.stream().map(m -> switch (m) {
                case "VECTOR_CLOCKS" -> "vector clocks";
                case "LAMPORT_CLOCKS" -> "Lamport clocks";
                default -> "timestamps (no logical clocks on both)";
            }).toList();
            boolean unorderedOnly = t.kinds.size() == 1 && t.kinds.containsKey("UNORDERED");
            String summary = String.format(Locale.ROOT, "Business order broken: %s %s %s %d time%s in %s"
                            + " (%s) on %s; judged by %s", ops[1], unorderedOnly ? "not ordered after" : "came before",
                    ops[0], t.violations, t.violations == 1 ? "" : "s", span, String.join(", ", kinds),
                    String.join(", ", t.entities) + (t.moreEntities ? ", ..." : ""), String.join(" and ", methods));
            Map<String, String> subject = new TreeMap<>();
            subject.put("rule", "business-order");
            subject.put("order", rule);
            out.add(new Finding(Finding.fingerprint(AlertType.CAUSALITY_VIOLATION, subject),
                    AlertType.CAUSALITY_VIOLATION, Severity.ALERT, subject, summary, t.violations, 1, w.start, end,
                    List.copyOf(t.samples), source));
        });
        return out;
    }
}
