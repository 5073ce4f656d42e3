package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.TreeMap;

/**
 * One UTC day of causality counts per node, summed from the day's closed windows: the seeds' "daily violation count
 * (target: 0)" for the standup. No Kafka types.
 */
final class CausalDay {

    static final long DAY_MS = 86_400_000L;
    private static final int VERSION = 1;

    static final class Tally {
        long violations;
        long effects;
        long missing;
    }

    final long start;
    final TreeMap<String, Tally> nodes = new TreeMap<>();

    CausalDay(long start) {
        this.start = start;
    }

    static long dayOf(long time) {
        return Math.floorDiv(time, DAY_MS) * DAY_MS;
    }

    /** Adds a closed window of this day. */
    void add(CausalWindow w) {
        w.nodes.forEach((node, n) -> {
            Tally t = nodes.computeIfAbsent(node, k -> new Tally());
            t.violations += n.violations;
            t.effects += n.sent;
            t.missing += n.missing();
        });
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(start).varlong(nodes.size());
        nodes.forEach((k, t) -> w.str(k).varlong(t.violations).varlong(t.effects).varlong(t.missing));
        return w.bytes();
    }

    static CausalDay fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "causal day");
        CausalDay d = new CausalDay(r.varlong());
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            String k = r.str();
            Tally t = new Tally();
            t.violations = r.varlong();
            t.effects = r.varlong();
            t.missing = r.varlong();
            d.nodes.put(k, t);
        }
        return d;
    }
}
