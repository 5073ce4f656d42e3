package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.detect.causality.CausalJudge.Rule;
import io.asyncwatch.detect.causality.CausalJudge.Stamp;
import io.asyncwatch.detect.causality.LogicalClocks.Order;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A vector-clock log of our own: nodes doing local steps and exchanging messages, with faults injected into the
 * clocks of some nodes. The true happens-before relation is computed by brute force (reachability over program
 * order and message edges); what the clocks and the judge report is checked against it for every pair.
 */
class HappensBeforeTest {

    private record Event(int id, int node, Map<String, Long> clock, long lamport) {
    }

    private record Message(int send, int receive) {
    }

    private static final class Log {
        final List<Event> events = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();
        final List<List<Integer>> edges = new ArrayList<>(); // successor lists: program order and messages
    }

    /**
     * @param faulty node whose clock misbehaves: on receive it forgets to merge the sender's clock (and, every
     *               tenth step, its Lamport clock is reset) — or -1 for a correct run
     */
    private static Log run(int nodes, int steps, long seed, int faulty) {
        Random rnd = new Random(seed);
        Log log = new Log();
        List<Map<String, Long>> clocks = new ArrayList<>();
        long[] lamport = new long[nodes];
        int[] last = new int[nodes];
        for (int n = 0; n < nodes; n++) {
            clocks.add(new HashMap<>());
            last[n] = -1;
        }
        List<int[]> inFlight = new ArrayList<>(); // {send event id, destination node}
        for (int s = 0; s < steps; s++) {
            int node = rnd.nextInt(nodes);
            Map<String, Long> clock = clocks.get(node);
            String me = "n" + node;
            int received = -1;
            int choice = rnd.nextInt(3);
            if (choice == 2) {
                for (int i = 0; i < inFlight.size(); i++) {
                    if (inFlight.get(i)[1] == node) {
                        received = inFlight.remove(i)[0];
                        break;
                    }
                }
            }
            if (received >= 0) {
                Event from = log.events.get(received);
                if (node != faulty) {
                    from.clock().forEach((k, v) -> clock.merge(k, v, Math::max));
                    lamport[node] = Math.max(lamport[node], from.lamport());
                }
            }
            clock.merge(me, 1L, Long::sum);
            lamport[node]++;
            if (node == faulty && s % 10 == 0) {
                lamport[node] = 1;
            }
            Event e = new Event(log.events.size(), node, Map.copyOf(clock), lamport[node]);
            log.events.add(e);
            log.edges.add(new ArrayList<>());
            if (last[node] >= 0) {
                log.edges.get(last[node]).add(e.id());
            }
            last[node] = e.id();
            if (received >= 0) {
                log.edges.get(received).add(e.id());
                log.messages.add(new Message(received, e.id()));
            }
            if (choice == 1) {
                inFlight.add(new int[] {e.id(), rnd.nextInt(nodes)});
            }
        }
        return log;
    }

    /** reach[a] has b when a happened before b (a != b). */
    private static BitSet[] happensBefore(Log log) {
        int n = log.events.size();
        BitSet[] reach = new BitSet[n];
        for (int i = n - 1; i >= 0; i--) { // successors always have higher ids
            reach[i] = new BitSet(n);
            for (int next : log.edges.get(i)) {
                reach[i].set(next);
                reach[i].or(reach[next]);
            }
        }
        return reach;
    }

    /** The definition, written out here rather than through LogicalClocks: no component greater, one smaller. */
    private static boolean strictlyBefore(Map<String, Long> a, Map<String, Long> b) {
        java.util.Set<String> nodes = new java.util.HashSet<>(a.keySet());
        nodes.addAll(b.keySet());
        boolean smaller = false;
        for (String n : nodes) {
            long x = a.getOrDefault(n, 0L);
            long y = b.getOrDefault(n, 0L);
            if (x > y) {
                return false;
            }
            smaller |= x < y;
        }
        return smaller;
    }

    private static Stamp stamp(Event e) {
        return new Stamp(0, e.lamport(), e.clock());
    }

    @Test
    void correctClocksCharacteriseHappensBeforeExactly() {
        for (long seed = 1; seed <= 5; seed++) {
            Log log = run(4, 300, seed, -1);
            BitSet[] hb = happensBefore(log);
            int pairs = 0;
            for (Event a : log.events) {
                for (Event b : log.events) {
                    Order expected = a.id() == b.id() ? Order.EQUAL : hb[a.id()].get(b.id()) ? Order.BEFORE
                            : hb[b.id()].get(a.id()) ? Order.AFTER : Order.CONCURRENT;
                    assertEquals(expected, LogicalClocks.compare(a.clock(), b.clock()),
                            "seed " + seed + ": " + a + " vs " + b);
                    pairs++;
                }
            }
            assertTrue(pairs > 80_000);
            assertTrue(log.messages.size() > 20, "the run exchanged messages: " + log.messages.size());
            for (Message m : log.messages) {
                assertTrue(CausalJudge.judge(stamp(log.events.get(m.send())), stamp(log.events.get(m.receive())), 0)
                        .broken().isEmpty(), "a correct run breaks no rule: " + m);
            }
        }
    }

    @Test
    void theJudgeReportsExactlyTheMessagesWhoseClocksContradictHappensBefore() {
        int reportedVector = 0;
        int reportedLamport = 0;
        for (long seed = 1; seed <= 5; seed++) {
            Log log = run(4, 300, seed, 2);
            BitSet[] hb = happensBefore(log);
            for (Message m : log.messages) {
                Event cause = log.events.get(m.send());
                Event effect = log.events.get(m.receive());
                assertTrue(hb[cause.id()].get(effect.id()), "a message is a happens-before edge");
                boolean vectorAgrees = strictlyBefore(cause.clock(), effect.clock());
                boolean lamportAgrees = cause.lamport() < effect.lamport();
                var verdict = CausalJudge.judge(stamp(cause), stamp(effect), 0);
                assertEquals(!vectorAgrees, verdict.broken().contains(Rule.VECTOR), m.toString());
                assertEquals(!lamportAgrees, verdict.broken().contains(Rule.LAMPORT), m.toString());
                reportedVector += vectorAgrees ? 0 : 1;
                reportedLamport += lamportAgrees ? 0 : 1;
            }
        }
        assertTrue(reportedVector > 0, "the faulty node's missed merges are caught");
        assertTrue(reportedLamport > 0, "the faulty node's resets are caught");
    }

    @Test
    void timestampsAreJudgedWithTheTolerance() {
        Stamp cause = new Stamp(1_000, -1, Map.of());
        assertEquals(Rule.TIMESTAMP, CausalJudge.judge(cause, new Stamp(990, -1, Map.of()), 0).broken()
                .iterator().next());
        assertEquals(10, CausalJudge.judge(cause, new Stamp(990, -1, Map.of()), 0).gapMs());
        assertTrue(CausalJudge.judge(cause, new Stamp(990, -1, Map.of()), 10).broken().isEmpty(),
                "within the tolerance");
        assertTrue(CausalJudge.judge(cause, new Stamp(1_000, -1, Map.of()), 0).broken().isEmpty(),
                "the same millisecond is not before");
        assertTrue(CausalJudge.judge(cause, new Stamp(500, 7, Map.of("a", 1L)), 1000).broken().isEmpty(),
                "absent clocks on the cause's side judge nothing");
    }
}
