package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * The part of a WRITE with an entity that crosses the broker, re-keyed by entity (its effective time is the record
 * timestamp); or, with no node, an input partition's clock tick.
 */
record EntityWrite(String eventId, String node, String requestId, long timestamp, Map<String, Long> vectorClock,
                   String source, long tick) {

    private static final int VERSION = 1;
    static final Serde<EntityWrite> SERDE = Bin.serde(EntityWrite::toBytes, EntityWrite::fromBytes);

    static EntityWrite of(RequestEvent e) {
        return new EntityWrite(e.eventId(), e.nodeOrService(), e.requestId(), e.timestamp(),
                e.vectorClock() == null ? Map.of() : e.vectorClock(), null, 0);
    }

    static EntityWrite tick(String source, long time) {
        return new EntityWrite(null, null, null, 0, Map.of(), source, time);
    }

    boolean isTick() {
        return node == null;
    }

    WriteFrontier.Write at(long time) {
        return new WriteFrontier.Write(eventId, node, requestId, timestamp, time, vectorClock);
    }

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(eventId).str(node).str(requestId).varlong(timestamp).longMap(vectorClock)
                .str(source).varlong(tick).bytes();
    }

    static EntityWrite fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "entity write");
        return new EntityWrite(r.str(), r.str(), r.str(), r.varlong(), r.longMap(), r.str(), r.varlong());
    }
}
