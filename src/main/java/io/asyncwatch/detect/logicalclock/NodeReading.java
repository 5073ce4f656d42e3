package io.asyncwatch.detect.logicalclock;

import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.RequestEvent;
import java.util.Map;

/**
 * A node's logical clock as one event shows it (a clock reading, or a request stamped with its node's clocks), or an
 * input partition's clock tick. What the logical clock stage keeps of an event, whichever topic it came from.
 *
 * @param lamport -1 when absent
 */
record NodeReading(String node, String cluster, String eventId, long lamport, Map<String, Long> vectorClock,
                   long tick, String source) {

    private static final int VERSION = 1;
    static final org.apache.kafka.common.serialization.Serde<NodeReading> SERDE =
            io.asyncwatch.serde.Bin.serde(NodeReading::toBytes, NodeReading::fromBytes);

    byte[] toBytes() {
        return io.asyncwatch.serde.Bin.writer().u8(VERSION).str(node).str(cluster).str(eventId).varlong(lamport)
                .longMap(vectorClock).varlong(tick).str(source).bytes();
    }

    static NodeReading fromBytes(byte[] b) {
        io.asyncwatch.serde.Bin.Reader r = io.asyncwatch.serde.Bin.versioned(b, VERSION, "node reading");
        return new NodeReading(r.str(), r.str(), r.str(), r.varlong(), r.longMap(), r.varlong(), r.str());
    }

    /** Not a tick. */
    static final long EVENT = Long.MIN_VALUE + 1;

    boolean isTick() {
        return tick != EVENT;
    }

    static NodeReading of(Accepted<ClockEvent> a) {
        if (a.isTick()) {
            return new NodeReading(null, null, null, -1, Map.of(), a.clock(), a.source());
        }
        ClockEvent e = a.event();
        return new NodeReading(e.node(), e.cluster(), e.eventId(), e.lamport() == null ? -1 : e.lamport(),
                present(e.vectorClock()) ? e.vectorClock() : Map.of(), EVENT, null);
    }

    static NodeReading ofRequest(Accepted<RequestEvent> a) {
        if (a.isTick()) {
            return new NodeReading(null, null, null, -1, Map.of(), a.clock(), a.source());
        }
        RequestEvent e = a.event();
        String node = e.node();
        return new NodeReading(node, null, e.eventId(), e.lamport() == null ? -1 : e.lamport(),
                present(e.vectorClock()) ? e.vectorClock() : Map.of(), EVENT, null);
    }

    /**
     * Does the request carry a clock of a named node? (Only those are kept: without {@code node} the replicas of a
     * service would interleave their independent clocks into one sequence.)
     */
    static boolean hasClock(RequestEvent e) {
        return e.node() != null && !e.node().isBlank() && (e.lamport() != null || present(e.vectorClock()));
    }

    boolean hasClock() {
        return lamport >= 0 || !vectorClock.isEmpty();
    }

    private static boolean present(Map<String, Long> vc) {
        return io.asyncwatch.detect.causality.LogicalClocks.present(vc);
    }
}
