package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * The part of an event that crosses the broker to be matched with its causes or effects, re-keyed by the link
 * ({@code id:<eventId>} or {@code span:<traceId>/<spanId>}); or an input partition's clock tick.
 *
 * @param timestamp the sender's timestamp (what a skewed clock sets, and what is judged)
 * @param lamport   -1 when absent
 * @param time      the effective event time, set where the fact is stored (the record timestamp carries it)
 */
record CausalFact(int role, String link, String eventId, String node, String via, long timestamp, long lamport,
                  Map<String, Long> vectorClock, long time, String source, long tick) {

    static final int TICK = 0;
    static final int CAUSE = 1;
    static final int EFFECT = 2;
    static final String VIA_CAUSED_BY = "causedBy";
    static final String VIA_PARENT_SPAN = "parentSpanId";
    /** The link of a cause named by its event id: {@code id:<eventId>}. */
    static final String ID_PREFIX = "id:";

    static CausalFact tick(String source, long time) {
        return new CausalFact(TICK, "", null, null, null, 0, -1, Map.of(), 0, source, time);
    }

    static CausalFact cause(String link, String eventId, String node, long timestamp, Long lamport,
                            Map<String, Long> vc) {
        return new CausalFact(CAUSE, link, eventId, node, null, timestamp, lamport == null ? -1 : lamport,
                vc == null ? Map.of() : vc, 0, null, 0);
    }

    static CausalFact effect(String link, String via, String eventId, String node, long timestamp, Long lamport,
                             Map<String, Long> vc) {
        return new CausalFact(EFFECT, link, eventId, node, via, timestamp, lamport == null ? -1 : lamport,
                vc == null ? Map.of() : vc, 0, null, 0);
    }

    /** An operation on an entity (business order): the link is the entity, {@code via} the operation. */
    static CausalFact op(String entity, String operation, String eventId, String node, long timestamp, Long lamport,
                         Map<String, Long> vc) {
        return new CausalFact(CAUSE, entity, eventId, node, operation, timestamp, lamport == null ? -1 : lamport,
                vc == null ? Map.of() : vc, 0, null, 0);
    }

    boolean isTick() {
        return role == TICK;
    }

    /** Whether the link is this fact's own id ({@code id:<eventId>}): then it need not be kept beside the id. */
    boolean linkedByOwnId() {
        return link != null && eventId != null && link.length() == ID_PREFIX.length() + eventId.length()
                && link.startsWith(ID_PREFIX)
                && link.endsWith(eventId);
    }

    /** As received: the link is the record key (not repeated in the value), the time its timestamp. */
    CausalFact at(String link, long effectiveTime) {
        return new CausalFact(role, link, eventId, node, via, timestamp, lamport, vectorClock, effectiveTime, source,
                tick);
    }

    CausalJudge.Stamp stamp() {
        return new CausalJudge.Stamp(timestamp, lamport, vectorClock);
    }

    private static final int VERSION = 1;
    static final Serde<CausalFact> SERDE = Bin.serde(CausalFact::toBytes, CausalFact::fromBytes);

    byte[] toBytes() {
        // The link is the key wherever a fact is written (topic, stores): not repeated here.
        return Bin.writer().u8(VERSION).u8(role).str(eventId).str(node).str(via).varlong(timestamp).varlong(lamport)
                .longMap(vectorClock).varlong(time).str(source).varlong(tick).bytes();
    }

    static CausalFact fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "causal fact");
        int role = r.u8();
        String eventId = r.str();
        String node = r.str();
        String via = r.str();
        long timestamp = r.varlong();
        long lamport = r.varlong();
        Map<String, Long> vc = r.longMap();
        return new CausalFact(role, null, eventId, node, via, timestamp, lamport, vc, r.varlong(), r.str(),
                r.varlong());
    }
}
