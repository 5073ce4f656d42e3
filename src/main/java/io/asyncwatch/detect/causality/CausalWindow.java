package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One window of causality outcomes: violations per (cause node, effect node) pair, and effects per node. No Kafka types. */
final class CausalWindow {

    private static final int VERSION = 3;
    static final int SAMPLES = 5;

    static final class Pair {
        long violations;
        long maxGapMs = Long.MIN_VALUE;
        long timestampRule;
        long lamportRule;
        long vectorRule;
        final List<String> samples = new ArrayList<>();
    }

    /** Business-order violations of one rule ("order>pay"). */
    static final class OrderTally {
        long violations;
        /** By kind: REVERSED, IMPOSSIBLE, UNORDERED. */
        final TreeMap<String, Long> kinds = new TreeMap<>();
        /** How they were judged: VECTOR_CLOCKS, LAMPORT_CLOCKS, TIMESTAMPS. */
        final java.util.TreeSet<String> methods = new java.util.TreeSet<>();
        final java.util.TreeSet<String> entities = new java.util.TreeSet<>();
        /** More entities than named. */
        boolean moreEntities;
        final List<String> samples = new ArrayList<>();
    }

    static final class Node {
        /** Effects ingested (and looked up). */
        long sent;
        /** Effects whose cause was found and judged. */
        long found;
        long violations;

        /** Effects whose cause never arrived within the horizon (a cause given twice can be found twice). */
        long missing() {
            return Math.max(0, sent - found);
        }
    }

    final long start;
    /** Records that arrived after their own window had closed, counted here instead. */
    long late;
    /** Keyed by {@code causeNode + '\n' + effectNode}. */
    final TreeMap<String, Pair> pairs = new TreeMap<>();
    final TreeMap<String, Node> nodes = new TreeMap<>();
    final TreeMap<String, OrderTally> orders = new TreeMap<>();

    CausalWindow(long start) {
        this.start = start;
    }

    static String pairKey(String causeNode, String effectNode) {
        return causeNode + "\n" + effectNode;
    }

    void add(CausalOutcome o) {
        if (o.kind() == CausalOutcome.VIOLATION) {
            Pair p = pairs.computeIfAbsent(pairKey(o.causeNode(), o.effectNode()), k -> new Pair());
            p.violations++;
            p.maxGapMs = Math.max(p.maxGapMs, o.gapMs());
            p.timestampRule += o.broke(CausalJudge.Rule.TIMESTAMP) ? 1 : 0;
            p.lamportRule += o.broke(CausalJudge.Rule.LAMPORT) ? 1 : 0;
            p.vectorRule += o.broke(CausalJudge.Rule.VECTOR) ? 1 : 0;
            // The first few by effect id, not by arrival: live and replay deliver in different orders.
            p.samples.add(describe(o));
            p.samples.sort(null);
            if (p.samples.size() > SAMPLES) {
                p.samples.remove(SAMPLES);
            }
            nodes.computeIfAbsent(o.effectNode(), k -> new Node()).violations++;
        } else if (o.kind() == CausalOutcome.ORDER) {
            OrderTally t = orders.computeIfAbsent(o.via(), k -> new OrderTally());
            t.violations++;
            String[] verdict = o.verdict().split(" ", 2);
            t.kinds.merge(verdict[0], 1L, Long::sum);
            t.methods.add(verdict[1]);
            // Entities named: the first few in name order, not by arrival (live and replay deliver differently).
            t.entities.add(o.entity());
            if (t.entities.size() > SAMPLES) {
                t.entities.pollLast();
                t.moreEntities = true;
            }
            t.samples.add(describeOrder(o));
            t.samples.sort(null);
            if (t.samples.size() > SAMPLES) {
                t.samples.remove(SAMPLES);
            }
            nodes.computeIfAbsent(o.effectNode(), k -> new Node()).violations++;
        } else if (o.kind() == CausalOutcome.COUNTS) {
            Node n = nodes.computeIfAbsent(o.effectNode(), k -> new Node());
            n.sent += o.sent();
            n.found += o.found();
        }
    }

    /** "e-9 on node-b (causedBy e-7 on node-a) stamped 830 ms before its cause; Lamport 12 <= 14" */
    static String describe(CausalOutcome o) {
        StringBuilder sb = new StringBuilder(o.effectId()).append(" on ").append(o.effectNode()).append(" (")
                .append(via(o.via(), o.causeId())).append(" on ").append(o.causeNode()).append(')');
        List<String> what = new ArrayList<>();
        if (o.broke(CausalJudge.Rule.TIMESTAMP)) {
            what.add("stamped " + o.gapMs() + " ms before its cause");
        }
        if (o.broke(CausalJudge.Rule.LAMPORT)) {
            what.add("Lamport clock not after its cause's");
        }
        if (o.broke(CausalJudge.Rule.VECTOR)) {
            what.add("vector clock not after its cause's");
        }
        return sb.append(": ").append(String.join("; ", what)).toString();
    }

    /** "Order[42]: pay-7 on node-b before order-3 on node-a, REVERSED by timestamps (830 ms)" */
    static String describeOrder(CausalOutcome o) {
        String[] verdict = o.verdict().split(" ", 2);
        String[] ops = o.via().split(">", 2);
        String how = switch (verdict[1]) {
            case "VECTOR_CLOCKS" -> "by vector clocks";
            case "LAMPORT_CLOCKS" -> "by Lamport clocks";
            default -> "by timestamps, " + o.gapMs() + " ms";
        };
        String relation = verdict[0].equals("UNORDERED") ? "concurrent with" : "before";
        return String.format(java.util.Locale.ROOT, "%s: %s %s on %s %s %s %s on %s: %s (%s)", o.entity(), ops[1],
                o.effectId(), o.effectNode(), relation, ops[0], o.causeId(), o.causeNode(), verdict[0], how);
    }

    /** "causedBy e-7", or "parentSpanId s-1: p-1" (the span, then the event that is the parent call). */
    static String via(String via, String cause) {
        return via.equals(CausalFact.VIA_CAUSED_BY) ? via + " " + cause : via + ": " + cause;
    }

    /**
     * The node in more than half of the window's violating pairs and in more than any other node, when there are at
     * least two pairs (a -> b, a -> c, b -> c names nobody: each node is in two of three).
     */
    String usualSuspect() {
        if (pairs.size() < 2) {
            return null;
        }
        Map<String, Integer> in = new TreeMap<>();
        for (String key : pairs.keySet()) {
            String[] p = key.split("\n", 2);
            in.merge(p[0], 1, Integer::sum);
            if (!p[1].equals(p[0])) {
                in.merge(p[1], 1, Integer::sum);
            }
        }
        String best = null;
        int most = 0;
        boolean tie = false;
        for (Map.Entry<String, Integer> e : in.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
                tie = false;
            } else if (e.getValue() == most) {
                tie = true;
            }
        }
        return !tie && most * 2 > pairs.size() ? best : null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(start).varlong(late).varlong(pairs.size());
        pairs.forEach((k, p) -> w.str(k).varlong(p.violations).varlong(p.maxGapMs).varlong(p.timestampRule)
                .varlong(p.lamportRule).varlong(p.vectorRule).strings(p.samples));
        w.varlong(nodes.size());
        nodes.forEach((k, n) -> w.str(k).varlong(n.sent).varlong(n.found).varlong(n.violations));
        w.varlong(orders.size());
        orders.forEach((k, t) -> {
            w.str(k).varlong(t.violations).varlong(t.kinds.size());
            t.kinds.forEach((kind, n) -> w.str(kind).varlong(n));
            w.strings(List.copyOf(t.methods)).strings(List.copyOf(t.entities)).bool(t.moreEntities)
                    .strings(t.samples);
        });
        return w.bytes();
    }

    static CausalWindow fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "causal window");
        CausalWindow w = new CausalWindow(r.varlong());
        w.late = r.varlong();
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            String k = r.str();
            Pair p = new Pair();
            p.violations = r.varlong();
            p.maxGapMs = r.varlong();
            p.timestampRule = r.varlong();
            p.lamportRule = r.varlong();
            p.vectorRule = r.varlong();
            p.samples.addAll(r.strings());
            w.pairs.put(k, p);
        }
        n = r.varlong();
        for (long i = 0; i < n; i++) {
            String k = r.str();
            Node node = new Node();
            node.sent = r.varlong();
            node.found = r.varlong();
            node.violations = r.varlong();
            w.nodes.put(k, node);
        }
        n = r.varlong();
        for (long i = 0; i < n; i++) {
            String k = r.str();
            OrderTally t = new OrderTally();
            t.violations = r.varlong();
            long kinds = r.varlong();
            for (long j = 0; j < kinds; j++) {
                t.kinds.put(r.str(), r.varlong());
            }
            t.methods.addAll(r.strings());
            t.entities.addAll(r.strings());
            t.moreEntities = r.bool();
            t.samples.addAll(r.strings());
            w.orders.put(k, t);
        }
        return w;
    }
}
