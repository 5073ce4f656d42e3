package io.asyncwatch.detect.duplicates;

import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * The part of a WRITE attempt with a requestId that crosses the broker, re-keyed by requestId (its time is the
 * record timestamp); or, with no requestId, an input partition's clock tick.
 */
public record WriteAttempt(String requestId, String service, String layer, String eventId, boolean success,
                           int attempt, String entity, long tick) {

    /** An input partition's clock tick ({@code service} holds the partition): no request id. */
    static WriteAttempt tick(String source, long time) {
        return new WriteAttempt(null, source, null, null, false, 0, null, time);
    }

    boolean isTick() {
        return requestId == null;
    }

    private static final int VERSION = 1;
    public static final Serde<WriteAttempt> SERDE = Bin.serde(WriteAttempt::toBytes, WriteAttempt::fromBytes);

    static WriteAttempt of(RequestEvent e) {
        return new WriteAttempt(e.requestId(), e.service(), e.layer(), e.eventId(), e.status() == Status.SUCCESS,
                e.attempt(), e.entity(), 0);
    }

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(requestId).str(service).str(layer).str(eventId).bool(success)
                .varlong(attempt).str(entity).varlong(tick).bytes();
    }

    /** The attempt (not a tick) as part of a chunk ({@link IntentBook}). */
    static void write(Bin.Writer w, WriteAttempt a) {
        w.str(a.requestId).str(a.service).str(a.layer).str(a.eventId).bool(a.success).varlong(a.attempt)
                .str(a.entity);
    }

    /** Reads what {@link #write} wrote. */
    static WriteAttempt read(Bin.Reader r) {
        return new WriteAttempt(r.str(), r.str(), r.str(), r.str(), r.bool(), r.varint(), r.str(), 0);
    }

    static WriteAttempt fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "write attempt");
        return new WriteAttempt(r.str(), r.str(), r.str(), r.str(), r.bool(), r.varint(), r.str(), r.varlong());
    }
}
