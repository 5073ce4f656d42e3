package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One window of causality outcomes: violations per (cause node, effect node) pair, and effects per node. No Kafka types. */
final class CausalWindow {

    private static final int VERSION = 1;
    static final int SAMPLES = 5;

    static final class Pair {
        long violations;
        long maxGapMs = Long.MIN_VALUE;
        long timestampRule;
        long lamportRule;
        long vectorRule;
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

    /** "causedBy e-7", or "parentSpanId s-1: p-1" (the span, then the event that is the parent call). */
    static String via(String via, String cause) {
        return via.equals(CausalFact.VIA_CAUSED_BY) ? via + " " + cause : via + ": " + cause;
    }

    /** The node in more than half of the window's violating pairs, when there are at least two pairs. */
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
        for (Map.Entry<String, Integer> e : in.entrySet()) {
            if (e.getValue() * 2 > pairs.size()) {
                return e.getKey();
            }
        }
        return null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(start).varlong(late).varlong(pairs.size());
        pairs.forEach((k, p) -> w.str(k).varlong(p.violations).varlong(p.maxGapMs).varlong(p.timestampRule)
                .varlong(p.lamportRule).varlong(p.vectorRule).strings(p.samples));
        w.varlong(nodes.size());
        nodes.forEach((k, n) -> w.str(k).varlong(n.sent).varlong(n.found).varlong(n.violations));
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
        return w;
    }
}
