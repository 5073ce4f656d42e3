package io.asyncwatch.detect.duplicates;

import io.asyncwatch.serde.Bin;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * One user intent (requestId) whose write one service applied more than once.
 *
 * @param writeIds the event ids of its SUCCESS WRITEs at {@code service}
 * @param zombie   the timed-out attempt whose write landed anyway ("attempt 1 at svc-order timed out (e-17)"), or null
 * @param source   the request-id task that found it; a record with no service is that task's clock tick
 */
public record DuplicateIntent(String service, String layer, String requestId, String entity, List<String> writeIds,
                              String zombie, long time, String source) {

    static DuplicateIntent tick(String source, long time) {
        return new DuplicateIntent(null, null, null, null, List.of(), null, time, source);
    }

    boolean isTick() {
        return service == null;
    }

    private static final int VERSION = 1;
    public static final Serde<DuplicateIntent> SERDE = Bin.serde(DuplicateIntent::toBytes, DuplicateIntent::fromBytes);

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(service).str(layer).str(requestId).str(entity).strings(writeIds)
                .str(zombie).varlong(time).str(source).bytes();
    }

    static DuplicateIntent fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "duplicate intent");
        return new DuplicateIntent(r.str(), r.str(), r.str(), r.str(), r.strings(), r.str(), r.varlong(), r.str());
    }
}
