package io.asyncwatch.detect.heartbeats;

import io.asyncwatch.detect.calls.LatencySketch;
import io.asyncwatch.model.Role;
import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One cluster as its heartbeats show it: each node's sequence, term, role and when it was last heard, the leaders'
 * claims, and per window what was received, lost and how late. No Kafka types.
 *
 * <ul>
 *   <li><b>Loss</b>: a sequence that skips numbers lost the ones skipped; a sequence that goes back (or restarts)
 *   is a restart, not a loss.</li>
 *   <li><b>Silence</b>: a node not heard for more than {@code k × intervalMs} (on the stage's clock) is suspected
 *   dead, while the silence lasts. When it is heard again with its sequence continuing, it never died: a false death,
 *   with the gap (by sender time and by arrival) against its interval. A sequence that went back is a restart.</li>
 *   <li><b>Split brain</b>: two nodes claiming LEADER in the same term while both claims are live, or in different
 *   terms with claims overlapping by more than the heartbeat interval (the old leader did not step down).</li>
 * </ul>
 */
final class ClusterView {

    /** 2: a node's last sender timestamp beside its last event time (arrival); 1 (read only): arrival second. */
    private static final int VERSION = 2;
    /** A node not heard from for this long is forgotten (its next heartbeat starts afresh). */
    static final long FORGET_MS = 3_600_000;

    static final class NodeView {
        long sequence = -1;
        long term;
        Role role;
        long intervalMs;
        /** The last judged heartbeat's event time: its arrival (see EventType#heartbeats). */
        long lastTime;
        /** Its sender's timestamp, for the gap by the node's own clock. */
        long lastSent;
        boolean suspected;
        /** The latest time heard, pending heartbeats included: what silence is measured from. */
        long lastHeard = Long.MIN_VALUE;
        /** Heartbeats waiting out the grace, so that they are judged in order whatever order they arrived in. */
        final List<Pending> pending = new ArrayList<>();
        /** The current leadership claim: its term and first and latest heartbeat times; since = MIN: none. */
        long leaderTerm;
        long leaderSince = Long.MIN_VALUE;
        long leaderLast;

        boolean claims() {
            return leaderSince != Long.MIN_VALUE;
        }
    }

    /** A heartbeat waiting for the grace period to pass, at its effective time. */
    record Pending(Beat beat, long time) {
    }

    /** Heartbeats one node may have waiting: beyond it the oldest is judged at once. */
    static final int MAX_PENDING = 64;

    /** One node's counts in a window. */
    static final class NodeStats {
        long received;
        long lost;
        long restarts;
        long late;
        long aheadOfArrival;
        LatencySketch delays = new LatencySketch();
    }

    static final class Window {
        final long start;
        final TreeMap<String, NodeStats> nodes = new TreeMap<>();
        /** Leaders seen ({@code node@term}) and the split-brain pairs found: per pair, the longest overlap (ms). */
        final TreeSet<String> leaders = new TreeSet<>();
        final TreeMap<String, Long> splits = new TreeMap<>();
        final TreeSet<String> splitNodes = new TreeSet<>();

        /** The pairs, described. */
        List<String> splitLines() {
            List<String> out = new ArrayList<>();
            splits.forEach((pair, overlap) -> {
                String[] p = pair.split("\\|");
                out.add(overlap < 0 ? p[0] + " and " + p[2] + " both claim LEADER in term " + p[1]
                        : String.format(java.util.Locale.ROOT, "%s (term %s) and %s (term %s) both claim LEADER for"
                        + " %.1f s, more than the heartbeat interval", p[0], p[1], p[2], p[3], overlap / 1000.0));
            });
            return out;
        }

        /** Distinct nodes in split pairs. */
        long splitNodeCount() {
            return splitNodes.stream().map(n -> n.substring(0, n.lastIndexOf('@'))).distinct().count();
        }

        Window(long start) {
            this.start = start;
        }

        NodeStats stats(String node) {
            return nodes.computeIfAbsent(node, n -> new NodeStats());
        }
    }

    /** What a heartbeat or the clock revealed. */
    sealed interface Outcome permits Suspected, FalseDeath, Closed {
    }

    /** {@code node} has been silent for {@code silentMs} at {@code at}, more than k × its interval. */
    record Suspected(String node, long lastHeard, long silentMs, long intervalMs, long at) implements Outcome {
    }

    /**
     * {@code node} is heard again with its sequence continuing after a silence of {@code gapMs} by its own stamps
     * ({@code arrivalGapMs} by arrival): it was alive all along.
     */
    record FalseDeath(String node, long lastHeard, long back, long gapMs, long arrivalGapMs, long intervalMs,
                      long missed, long termBefore, long term) implements Outcome {
    }

    record Closed(Window window) implements Outcome {
    }

    final TreeMap<String, NodeView> nodes = new TreeMap<>();
    final TreeMap<Long, Window> windows = new TreeMap<>();
    long closedBefore = Long.MIN_VALUE;
    /** The deadline this cluster is scheduled at in the task's store (the processor's bookkeeping). */
    long scheduled = Long.MIN_VALUE;
    long overflow;

    private final HeartbeatSettings s;
    private final long graceMs;

    ClusterView(HeartbeatSettings s, long graceMs) {
        this.s = s;
        this.graceMs = graceMs;
    }

    private long suspectMs(NodeView n) {
        return (long) Math.ceil(s.suspectAfter() * n.intervalMs);
    }

    /**
     * Takes the heartbeat {@code b} at effective time {@code time}: it waits for the grace to pass (see
     * {@link #advance}), so that a node's heartbeats are judged in order of time and sequence however they arrived.
     * Silence is measured from it at once.
     */
    List<Outcome> heartbeat(Beat b, long time) {
        List<Outcome> out = new ArrayList<>();
        NodeView n = nodes.get(b.node());
        if (n == null) {
            if (nodes.size() >= s.maxNodes()) {
                overflow++;
                return out;
            }
            n = new NodeView();
            nodes.put(b.node(), n);
        }
        for (Pending p : n.pending) {
            if (p.beat().sequence() == b.sequence() && p.time() == time) {
                return out; // redelivered
            }
        }
        n.pending.add(new Pending(b, time));
        if (time > n.lastHeard) {
            n.lastHeard = time;
            n.suspected = false; // heard from after the silence (an older heartbeat arriving late does not count)
        }
        if (n.pending.size() > MAX_PENDING) {
            n.pending.sort(PENDING_ORDER);
            judge(b.node(), n, n.pending.remove(0), out);
        }
        return out;
    }

    private static final java.util.Comparator<Pending> PENDING_ORDER = java.util.Comparator
            .comparingLong(Pending::time).thenComparingLong(p -> p.beat().sequence());

    /** Judges one heartbeat of {@code node}, in order. */
    private void judge(String node, NodeView n, Pending p, List<Outcome> out) {
        Beat b = p.beat();
        long time = p.time();
        if (n.sequence == b.sequence() && n.sequence >= 0) {
            return; // the same heartbeat again
        }
        Window w = window(time);
        NodeStats st = w.stats(node);
        if (n.sequence >= 0 && time < n.lastTime) {
            st.late++; // behind what was judged (beyond the grace, or a copy of one judged): its gap was counted
            return;
        }
        st.received++;
        long delay = b.arrived() - b.sent();
        if (delay < 0) {
            st.aheadOfArrival++;
        }
        st.delays.add(Math.max(0, delay));
        if (n.sequence >= 0) {
            if (b.sequence() > n.sequence) {
                long missed = b.sequence() - n.sequence - 1;
                st.lost += missed;
                long gap = b.sent() - n.lastSent;
                long arrivalGap = time - n.lastTime;
                // Judged by arrival, as the cluster's failure detector sees it: a node whose clock steps ahead
                // while it keeps beating stamps a long gap, but it never fell silent.
                if (arrivalGap > suspectMs(n)) {
                    out.add(new FalseDeath(node, n.lastTime, time, gap, arrivalGap, n.intervalMs, missed, n.term,
                            b.term()));
                }
            } else {
                st.restarts++; // the sequence went back: the process started again
                n.leaderSince = Long.MIN_VALUE;
            }
        }
        n.sequence = b.sequence();
        n.role = b.role();
        n.intervalMs = b.intervalMs();
        n.lastTime = Math.max(n.lastTime, time);
        n.lastSent = b.sent();
        if (b.role() == Role.LEADER) {
            // A claim whose holder fell silent beyond the timeout has lapsed: coming back starts a new one, so a
            // leader back from a pause does not count its silence as overlap with the leader elected meanwhile.
            if (!n.claims() || n.leaderTerm != b.term() || time - n.leaderLast > suspectMs(n)) {
                n.leaderSince = time;
                n.leaderTerm = b.term();
            }
            n.leaderLast = Math.max(n.leaderLast, time);
            w.leaders.add(node + "@" + b.term());
            checkLeaders(node, n, w);
        } else {
            n.leaderSince = Long.MIN_VALUE;
        }
        n.term = b.term();
    }

    /** Compares {@code node}'s live claim with every other live one. */
    private void checkLeaders(String node, NodeView n, Window w) {
        for (Map.Entry<String, NodeView> e : nodes.entrySet()) {
            NodeView m = e.getValue();
            if (e.getKey().equals(node) || !m.claims()) {
                continue;
            }
            // A claim lives until its holder has been silent beyond the failure detector's timeout (by arrival:
            // holders whose clocks disagree by minutes, the seeds' clock-skew split, are compared as they beat).
            boolean live = m.leaderLast + suspectMs(m) >= n.leaderLast && n.leaderLast + suspectMs(n) >= m.leaderLast;
            if (!live) {
                continue;
            }
            String a = e.getKey().compareTo(node) < 0 ? e.getKey() : node;
            String b = a.equals(node) ? e.getKey() : node;
            NodeView na = a.equals(node) ? n : m;
            NodeView nb = a.equals(node) ? m : n;
            if (m.leaderTerm == n.leaderTerm) {
                w.splits.put(a + "|" + n.leaderTerm + "|" + b, -1L);
            } else {
                long overlap = Math.min(na.leaderLast, nb.leaderLast) - Math.max(na.leaderSince, nb.leaderSince);
                long interval = Math.max(na.intervalMs, nb.intervalMs);
                if (overlap <= interval) {
                    continue;
                }
                w.splits.merge(a + "|" + na.leaderTerm + "|" + b + "|" + nb.leaderTerm, overlap, Math::max);
            }
            w.splitNodes.add(a + "@" + na.leaderTerm);
            w.splitNodes.add(b + "@" + nb.leaderTerm);
        }
    }

    private Window window(long time) {
        long start = Math.floorDiv(time, s.windowMs()) * s.windowMs();
        if (closedBefore != Long.MIN_VALUE && start < closedBefore) {
            start = closedBefore; // late: counted in the first window still open
        }
        return windows.computeIfAbsent(start, Window::new);
    }

    /** Moves to the stage's clock {@code now}: suspicions, closed windows, forgotten nodes. */
    List<Outcome> advance(long now) {
        List<Outcome> out = new ArrayList<>();
        // Heartbeats past the grace, each node's in order of time and sequence, interleaved by time across nodes
        // (leadership claims are compared as they stood at each heartbeat).
        List<Map.Entry<String, Pending>> due = new ArrayList<>();
        for (Map.Entry<String, NodeView> e : nodes.entrySet()) {
            for (java.util.Iterator<Pending> it = e.getValue().pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.time() + graceMs <= now) {
                    due.add(Map.entry(e.getKey(), p));
                    it.remove();
                }
            }
        }
        due.sort(Map.Entry.<String, Pending>comparingByValue(PENDING_ORDER).thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Pending> d : due) {
            judge(d.getKey(), nodes.get(d.getKey()), d.getValue(), out);
        }
        for (Map.Entry<String, NodeView> e : nodes.entrySet()) {
            NodeView n = e.getValue();
            if (!n.suspected && n.lastHeard != Long.MIN_VALUE && n.lastHeard + suspectMs(pendingOrJudged(n)) < now) {
                n.suspected = true;
                out.add(new Suspected(e.getKey(), n.lastHeard, now - n.lastHeard, pendingOrJudged(n).intervalMs,
                        now));
            }
        }
        while (!windows.isEmpty() && windows.firstKey() + s.windowMs() + graceMs <= now) {
            Window w = windows.pollFirstEntry().getValue();
            closedBefore = Math.max(closedBefore, w.start + s.windowMs());
            out.add(new Closed(w));
        }
        nodes.values().removeIf(n -> n.pending.isEmpty() && n.lastHeard + FORGET_MS < now);
        return out;
    }

    /** A node's interval: of its last judged heartbeat, else of its first pending one. */
    private static NodeView pendingOrJudged(NodeView n) {
        if (n.intervalMs > 0 || n.pending.isEmpty()) {
            return n;
        }
        NodeView v = new NodeView();
        v.intervalMs = n.pending.get(0).beat().intervalMs();
        return v;
    }

    boolean isEmpty() {
        return nodes.isEmpty() && windows.isEmpty();
    }

    /** When {@link #advance} next has something to do, or {@code Long.MAX_VALUE}. */
    long nextDue() {
        long due = Long.MAX_VALUE;
        for (NodeView n : nodes.values()) {
            if (n.lastHeard == Long.MIN_VALUE) {
                continue;
            }
            if (!n.suspected) {
                due = Math.min(due, n.lastHeard + suspectMs(pendingOrJudged(n)) + 1);
            }
            for (Pending p : n.pending) {
                due = Math.min(due, p.time() + graceMs);
            }
            due = Math.min(due, n.lastHeard + FORGET_MS + 1);
        }
        if (!windows.isEmpty()) {
            due = Math.min(due, windows.firstKey() + s.windowMs() + graceMs);
        }
        return due;
    }

    /** When {@code b} arrived, or {@code time} when its record had no timestamp. */
    static long arrival(Beat b, long time) {
        return b.arrived() >= 0 ? b.arrived() : time;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(closedBefore).varlong(scheduled).varlong(nodes.size());
        nodes.forEach((name, n) -> w.str(name).varlong(n.sequence).varlong(n.term)
                .u8(n.role == null ? 255 : n.role.ordinal()).varlong(n.intervalMs).varlong(n.lastTime)
                .varlong(n.lastSent).bool(n.suspected).varlong(n.leaderTerm).varlong(n.leaderSince)
                .varlong(n.leaderLast).varlong(n.lastHeard).varlong(n.pending.size()));
        // Pending heartbeats after the nodes, so that each node's fixed fields stay together.
        nodes.values().forEach(n -> n.pending.forEach(p -> w.bytes(p.beat().toBytes()).varlong(p.time())));
        w.varlong(windows.size());
        for (Window win : windows.values()) {
            w.varlong(win.start).strings(List.copyOf(win.leaders)).varlong(win.splits.size());
            win.splits.forEach((k, v) -> w.str(k).varlong(v));
            w.strings(List.copyOf(win.splitNodes)).varlong(win.nodes.size());
            win.nodes.forEach((name, st) -> w.str(name).varlong(st.received).varlong(st.lost).varlong(st.restarts)
                    .varlong(st.late).varlong(st.aheadOfArrival).bytes(st.delays.toBytes()));
        }
        return w.bytes();
    }

    static ClusterView fromBytes(byte[] b, HeartbeatSettings s, long graceMs) {
        Bin.Reader r = Bin.reader(b);
        int version = r.u8();
        if (version != VERSION && version != 1) {
            throw new IllegalStateException("unknown cluster heartbeats format version " + version + " (expected "
                    + VERSION + ")");
        }
        ClusterView v = new ClusterView(s, graceMs);
        v.closedBefore = r.varlong();
        v.scheduled = r.varlong();
        long n = r.varlong();
        List<Long> pendingCounts = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            String name = r.str();
            NodeView nv = new NodeView();
            nv.sequence = r.varlong();
            nv.term = r.varlong();
            int role = r.u8();
            nv.role = role == 255 ? null : Role.values()[role];
            nv.intervalMs = r.varlong();
            nv.lastTime = r.varlong();
            nv.lastSent = r.varlong();
            long shift = 0;
            if (version == 1) {
                // Version 1 judged on the effective (sender's) time and kept the arrival second: its times move to
                // arrival by the node's last difference, below, so that an upgrade raises nothing by itself.
                long sent = nv.lastTime;
                nv.lastTime = nv.lastSent;
                nv.lastSent = sent;
                shift = nv.lastTime - sent;
            }
            nv.suspected = r.bool();
            nv.leaderTerm = r.varlong();
            nv.leaderSince = r.varlong();
            nv.leaderLast = r.varlong();
            nv.lastHeard = r.varlong();
            if (shift != 0) {
                if (nv.leaderSince != Long.MIN_VALUE) {
                    nv.leaderSince += shift;
                }
                nv.leaderLast += shift;
                if (nv.lastHeard != Long.MIN_VALUE) {
                    nv.lastHeard += shift;
                }
            }
            pendingCounts.add(r.varlong());
            v.nodes.put(name, nv);
        }
        int i2 = 0;
        for (NodeView nv : v.nodes.values()) {
            for (long j = 0; j < pendingCounts.get(i2); j++) {
                Beat beat = Beat.fromBytes(r.bytes());
                long time = r.varlong();
                // Version 1 waited on the sender's time: a pending heartbeat waits on its arrival now.
                Pending p = new Pending(beat, version == 1 ? arrival(beat, time) : time);
                nv.pending.add(p);
                nv.lastHeard = Math.max(nv.lastHeard, p.time());
            }
            i2++;
        }
        long windows = r.varlong();
        for (long i = 0; i < windows; i++) {
            Window win = new Window(r.varlong());
            win.leaders.addAll(r.strings());
            long splits = r.varlong();
            for (long j = 0; j < splits; j++) {
                win.splits.put(r.str(), r.varlong());
            }
            win.splitNodes.addAll(r.strings());
            long count = r.varlong();
            for (long j = 0; j < count; j++) {
                NodeStats st = win.stats(r.str());
                st.received = r.varlong();
                st.lost = r.varlong();
                st.restarts = r.varlong();
                st.late = r.varlong();
                st.aheadOfArrival = r.varlong();
                st.delays = LatencySketch.fromBytes(r.bytes());
            }
            v.windows.put(win.start, win);
        }
        return v;
    }
}
