package io.asyncwatch.detect.clockskew;

import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * What a clock reading or a heartbeat says about a node's clock, re-keyed by cluster; or (node null) an input
 * partition's clock tick.
 *
 * @param reading   a clock reading (offset, drift, sync) rather than a heartbeat (delay only)
 * @param delayMs   for a heartbeat: its record's timestamp minus its sender's, the delivery delay less the sender's
 *                  clock error
 */
record Sample(String node, boolean reading, double offsetMs, double driftPpm, boolean syncOk, long delayMs,
              String source, long tick) {

    private static final int VERSION = 1;
    static final Serde<Sample> SERDE = Bin.serde(Sample::toBytes, Sample::fromBytes);

    static Sample of(ClockEvent e) {
        return new Sample(e.node(), true, e.offsetMs() == null ? 0 : e.offsetMs(),
                e.driftPpm() == null ? Double.NaN : e.driftPpm(), e.syncOk() == null || e.syncOk(), 0, null, 0);
    }

    static Sample of(HeartbeatEvent e, long recordTime) {
        return new Sample(e.node(), false, 0, 0, true, recordTime - e.timestamp(), null, 0);
    }

    static Sample tick(String source, long time) {
        return new Sample(null, false, 0, 0, true, 0, source, time);
    }

    boolean isTick() {
        return node == null;
    }

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(node).bool(reading).f64(offsetMs).f64(driftPpm).bool(syncOk)
                .varlong(delayMs).str(source).varlong(tick).bytes();
    }

    static Sample fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "clock sample");
        return new Sample(r.str(), r.bool(), r.f64(), r.f64(), r.bool(), r.varlong(), r.str(), r.varlong());
    }
}
