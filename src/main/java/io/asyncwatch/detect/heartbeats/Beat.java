package io.asyncwatch.detect.heartbeats;

import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Role;
import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * The part of a heartbeat that crosses the broker, re-keyed by cluster (its effective time is the record timestamp);
 * or, with no node, an input partition's clock tick.
 *
 * @param sent    the sender's timestamp
 * @param arrived the Kafka record's timestamp: when it was produced (or appended), as the rest of the cluster would
 *                have received it
 */
record Beat(String node, long sent, long arrived, long sequence, Role role, long term, long intervalMs,
            String source, long tick) {

    private static final int VERSION = 1;
    static final Serde<Beat> SERDE = Bin.serde(Beat::toBytes, Beat::fromBytes);

    static Beat of(HeartbeatEvent e, long recordTime) {
        return new Beat(e.node(), e.timestamp(), recordTime, e.sequence(), e.role(), e.term(), e.intervalMs(), null,
                0);
    }

    static Beat tick(String source, long time) {
        return new Beat(null, 0, 0, 0, null, 0, 0, source, time);
    }

    boolean isTick() {
        return node == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(node).str(source).varlong(tick);
        if (!isTick()) {
            w.varlong(sent).varlong(arrived).varlong(sequence).u8(role.ordinal()).varlong(term).varlong(intervalMs);
        }
        return w.bytes();
    }

    static Beat fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "heartbeat");
        String node = r.str();
        String source = r.str();
        long tick = r.varlong();
        if (node == null) {
            return new Beat(null, 0, 0, 0, null, 0, 0, source, tick);
        }
        return new Beat(node, r.varlong(), r.varlong(), r.varlong(), Role.values()[r.u8()], r.varlong(), r.varlong(),
                source, tick);
    }
}
