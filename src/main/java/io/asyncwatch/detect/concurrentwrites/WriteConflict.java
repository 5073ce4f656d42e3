package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * Two writes of one entity that conflict, sent from the entity's task to the conflict windows; or (entity null) that
 * task's clock tick.
 *
 * @param time the later of the two writes' effective times: the window it is counted in
 */
record WriteConflict(String entity, WriteFrontier.Basis basis, WriteFrontier.Write earlier,
                     WriteFrontier.Write later, long time, String source) {

    private static final int VERSION = 1;
    static final Serde<WriteConflict> SERDE = Bin.serde(WriteConflict::toBytes, WriteConflict::fromBytes);

    static WriteConflict of(String entity, WriteFrontier.Conflict c) {
        return new WriteConflict(entity, c.basis(), c.earlier(), c.later(),
                Math.max(c.earlier().time(), c.later().time()), null);
    }

    static WriteConflict tick(String source, long time) {
        return new WriteConflict(null, null, null, null, time, source);
    }

    boolean isTick() {
        return entity == null;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(entity).varlong(time).str(source);
        if (!isTick()) {
            w.u8(basis.ordinal());
            write(w, earlier);
            write(w, later);
        }
        return w.bytes();
    }

    static WriteConflict fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "write conflict");
        String entity = r.str();
        long time = r.varlong();
        String source = r.str();
        if (entity == null) {
            return new WriteConflict(null, null, null, null, time, source);
        }
        WriteFrontier.Basis basis = WriteFrontier.Basis.values()[r.u8()];
        return new WriteConflict(entity, basis, read(r), read(r), time, source);
    }

    static void write(Bin.Writer w, WriteFrontier.Write x) {
        w.str(x.eventId()).str(x.node()).str(x.requestId()).varlong(x.timestamp()).varlong(x.time())
                .longMap(x.vectorClock());
    }

    static WriteFrontier.Write read(Bin.Reader r) {
        return new WriteFrontier.Write(r.str(), r.str(), r.str(), r.varlong(), r.varlong(), r.longMap());
    }
}
